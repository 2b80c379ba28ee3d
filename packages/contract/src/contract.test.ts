import type { TSchema } from '@sinclair/typebox';
import {
  ANSWER_COMPONENTS,
  API_OPERATIONS,
  openApiDocument,
  type GatewayFacts,
  type HttpMethod,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  API_ERROR_CODES,
  componentName,
  DATA_COMPONENTS,
  DIAGNOSTIC_COMPONENTS,
  ERROR_COMPONENTS,
  ERROR_DETAILS,
  httpStatusOf,
  KEY_COMPONENTS,
  RUN_COMPONENTS,
  RunSummary,
  RunView,
  SEED_API_COMPONENTS,
  SERVICE_COMPONENTS,
  TASK_TYPE_COMPONENTS,
  ADMIN_COMPONENTS,
  WEBHOOK_COMPONENTS,
  WORKFLOW_COMPONENTS,
} from './index';

const MODULES = {
  ERROR_COMPONENTS,
  DIAGNOSTIC_COMPONENTS,
  RUN_COMPONENTS,
  WORKFLOW_COMPONENTS,
  DATA_COMPONENTS,
  KEY_COMPONENTS,
  WEBHOOK_COMPONENTS,
  SEED_API_COMPONENTS,
  ANSWER_COMPONENTS,
  SERVICE_COMPONENTS,
  TASK_TYPE_COMPONENTS,
  ADMIN_COMPONENTS,
};

describe('the contract', () => {
  it('names every component as the OpenAPI document lists it, each name once', () => {
    const names: string[] = [];
    for (const components of Object.values(MODULES)) {
      for (const [name, schema] of Object.entries<TSchema>(components)) {
        expect([name, componentName(schema)]).toEqual([name, name]);
        names.push(name);
      }
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('writes references to components, not copies of them', () => {
    expect(RunView.properties.status).toMatchObject({ $ref: '#/components/schemas/RunStatus' });
    expect(RunView.properties.nodes).toMatchObject({
      additionalProperties: { $ref: '#/components/schemas/NodeView' },
    });
    expect(RunSummary.required).toEqual([
      'runId',
      'status',
      'workflow',
      'error',
      'createdAt',
      'startedAt',
      'finishedAt',
      'durationMs',
      'statusUrl',
    ]);
  });

  it('answers every error code with a 4xx or 5xx, and describes details only of codes it has', () => {
    for (const code of API_ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    for (const code of Object.keys(ERROR_DETAILS)) expect(API_ERROR_CODES).toContain(code);
  });
});

describe('the generated OpenAPI document', () => {
  const facts: GatewayFacts = {
    rateLimitPerMinute: 7,
    authFailuresPerMinute: 3,
    bodyLimitBytes: 4096,
    streamsPerKey: 5,
    streamsPerApp: 9,
    streamKeepAliveMs: 15_000,
    streamKeyCheckMs: 30_000,
    streamMaxUnsentBytes: 2 * 1024 * 1024,
  };
  const definitions = {
    WorkflowDefinition: { type: 'object' as const, title: 'canonical' },
    StepsDefinition: { type: 'object' as const, title: 'steps' },
  };
  const document = openApiDocument({ facts, definitions });
  const operation = (method: HttpMethod, path: string): OperationObject => {
    const found = document.paths[path]?.[method];
    if (!found) throw new Error(`${method} ${path} is not in the document`);
    return found;
  };
  const headersOf = (response: ResponseObject | ReferenceObject | undefined) =>
    Object.keys((response as ResponseObject | undefined)?.headers ?? {});

  it('has every declared operation, each under its path and method', () => {
    for (const declared of API_OPERATIONS) {
      expect(operation(declared.method, declared.path).operationId).toBe(declared.operationId);
    }
    const count = Object.values(document.paths).flatMap((item) => Object.keys(item)).length;
    const parameterLists = Object.values(document.paths).filter((item) => item.parameters).length;
    expect(count - parameterLists).toBe(API_OPERATIONS.length);
  });

  it("states the gateway's defaults it was given, not its own", () => {
    expect(document.info.description).toContain('(default 7)');
    expect(document.info.description).toContain('(default 4096)');
    expect(document.info.description).toContain('(default 3)');
    expect(document.components.headers['RateLimit-Policy']?.description).toContain('default 7');
    const events = operation('get', '/v1/workflows/runs/{runId}/events');
    expect(events.description).toContain('every 15 s');
    expect(events.description).toContain('(default 5)');
    expect(events.description).toContain('2 MiB behind');
  });

  it('takes the definition schemas from the caller, keeping the contract descriptions', () => {
    expect(document.components.schemas.WorkflowDefinition).toMatchObject({ title: 'canonical' });
    expect(document.components.schemas.StepsDefinition?.description).toBe(
      WORKFLOW_COMPONENTS.StepsDefinition.description,
    );
  });

  it('adds the errors of authentication and of reading a body to keyed operations only', () => {
    const start = operation('post', '/v1/workflows/run');
    expect(start.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
    expect(start.responses['415']).toEqual({
      $ref: '#/components/responses/UnsupportedMediaType',
    });
    expect(headersOf(start.responses['202'])).toEqual(
      expect.arrayContaining(['Cache-Control', 'RateLimit', 'RateLimit-Policy', 'Location']),
    );
    const read = operation('get', '/v1/workflows/runs/{runId}');
    expect(read.responses['415']).toBeUndefined();
    expect(read.security).toBeUndefined();
    const health = operation('get', '/healthz');
    expect(health.security).toEqual([]);
    expect(Object.keys(health.responses)).toEqual(['200']);
    expect(headersOf(health.responses['200'])).toEqual(['X-Request-Id']);
  });

  it('takes an upload as bytes of any type: none of the errors of reading JSON, its own 413', () => {
    const codesOf = (response: ResponseObject | ReferenceObject | undefined) =>
      ((response as ResponseObject | undefined)?.content?.['application/json']?.schema?.properties
        ?.error?.properties?.code?.enum ?? []) as string[];
    for (const upload of [
      operation('post', '/v1/artifacts'),
      operation('post', '/v1/admin/apps/{appId}/artifacts'),
    ]) {
      expect(upload.requestBody).toEqual({ required: true, content: { '*/*': {} } });
      expect(upload.responses['415']).toBeUndefined();
      expect(codesOf(upload.responses['413'])).toEqual(['artifact_too_large']);
      expect(codesOf(upload.responses['400'])).toEqual(['invalid_request']);
      expect(codesOf(upload.responses['404'])).toContain('run_not_found');
      expect(headersOf(upload.responses['201'])).toContain('Location');
    }
  });

  it("refers to each path's parameters by the component of their name", () => {
    for (const [path, item] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const referred = (item.parameters ?? []).map((parameter) => {
        const name = ('$ref' in parameter ? parameter.$ref : '').split('/').pop() ?? '';
        return document.components.parameters[name]?.name;
      });
      expect([path, referred]).toEqual([path, names]);
    }
  });
});
