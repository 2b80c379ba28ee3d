import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_ERROR_CODES,
  HTTP_METHODS,
  type ParameterObject,
  type ReferenceObject,
  type SchemaObject,
} from '@weft/contract';
import {
  ContractRecorder,
  createSchemaCompiler,
  OpenApiValidator,
} from '../../../test/support/openapi-validator';
import { httpStatusOf } from './api-error';
import { createGatewayApp } from './app';
import { edgeOnlyDeps, TEST_API_KEY } from './testing/fake-deps';
import { DOCS_CONTENT_SECURITY_POLICY, renderOpenApiHtml } from './openapi-docs';
import { OPENAPI_DOCUMENT } from './api-document';
import {
  validateCreateAppRequest,
  validateCreateWebhookRequest,
  validateRunRequest,
  validateSaveWorkflowRequest,
  validateSearchVectorsRequest,
  validateUpdateWebhookRequest,
  validateUpsertVectorRequest,
} from './request-schemas';

const KEY = TEST_API_KEY;
const doc = OPENAPI_DOCUMENT;

/** Every value under `value`, with the JSON pointer it is at. */
function* walk(value: unknown, pointer = ''): Generator<[string, unknown]> {
  yield [pointer, value];
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    yield* walk(child, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  }
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof current !== 'object' || current === null || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function resolve<T>(value: T | ReferenceObject): T {
  if (typeof value === 'object' && value !== null && '$ref' in value) {
    return resolvePointer(doc, value.$ref.slice(1)) as T;
  }
  return value;
}

/** Every operation of the document, with its path, method and path-level parameters. */
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  HTTP_METHODS.flatMap((method) => {
    const operation = item[method];
    return operation ? [{ path, method, operation, pathParameters: item.parameters ?? [] }] : [];
  }),
);

/** `/runs/:runId` and `/runs/{runId}` as one shape, so express routes compare with paths. */
const shapeOf = (path: string) =>
  path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (/^(?::.+|\{[^}]+\})$/.test(segment) ? '{}' : segment))
    .join('/') || '/';

interface RouterLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every `METHOD path` the express app routes, found by walking its router. */
function expressRoutes(stack: RouterLayer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return Object.keys(layer.route.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method} ${shapeOf(prefix + layer.route!.path)}`);
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return expressRoutes(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

describe('the OpenAPI document', () => {
  it('is an OpenAPI 3.1 document whose every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const refs = [...walk(doc)].filter(([pointer]) => pointer.endsWith('/$ref'));
    expect(refs.length).toBeGreaterThan(100);
    const broken = refs
      .map(([pointer, ref]) => [pointer, ref] as const)
      .filter(
        ([, ref]) =>
          typeof ref !== 'string' ||
          !ref.startsWith('#/') ||
          resolvePointer(doc, ref.slice(1)) === undefined,
      );
    expect(broken).toEqual([]);
  });

  it('has operations with a unique id, known tags, and described responses', () => {
    const tags = new Set(doc.tags.map((tag) => tag.name));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations) {
      const where = `${method} ${path}`;
      expect([where, path.startsWith('/')]).toEqual([where, true]);
      expect([where, operation.summary.length > 0]).toEqual([where, true]);
      expect([where, operation.tags.filter((tag) => !tags.has(tag))]).toEqual([where, []]);
      const statuses = Object.keys(operation.responses);
      expect([where, statuses.some((status) => /^2\d\d$/.test(status))]).toEqual([where, true]);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect([where, status]).toEqual([where, expect.stringMatching(/^[1-5]\d\d$/)]);
        expect([where, status, resolve(response).description.length > 0]).toEqual([
          where,
          status,
          true,
        ]);
      }
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      expect([path, HTTP_METHODS.some((method) => item[method] !== undefined)]).toEqual([
        path,
        true,
      ]);
    }
  });

  it('declares every path parameter, and only those', () => {
    for (const { path, method, operation, pathParameters } of operations) {
      const declared = [...pathParameters, ...(operation.parameters ?? [])]
        .map((parameter) => resolve<ParameterObject>(parameter))
        .filter((parameter) => parameter.in === 'path');
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      expect([method, path, declared.map((parameter) => parameter.name).sort()]).toEqual([
        method,
        path,
        inTemplate.sort(),
      ]);
      expect(declared.every((parameter) => parameter.required === true)).toBe(true);
    }
  });

  it('compiles every schema as strict JSON Schema 2020-12', () => {
    const ajv = createSchemaCompiler();
    ajv.addSchema(doc, 'https://weft.invalid/openapi.json');
    const pointers = [
      ...Object.keys(doc.components.schemas).map((name) => `/components/schemas/${name}`),
      // Those of parameters, headers, request bodies and responses.
      ...[...walk(doc)]
        .map(([pointer]) => pointer)
        .filter((pointer) => pointer.endsWith('/schema')),
    ];
    expect(pointers.length).toBeGreaterThan(150);
    for (const pointer of pointers) {
      const fragment = pointer.split('/').map(encodeURIComponent).join('/');
      expect(() =>
        ajv.compile({ $ref: `https://weft.invalid/openapi.json#${fragment}` }),
      ).not.toThrow();
    }
  });

  it('uses only its own security schemes: an X-API-Key header or a bearer token', () => {
    expect(doc.components.securitySchemes).toEqual({
      ApiKeyHeader: expect.objectContaining({
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
      }) as unknown,
      BearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
      AdminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
    });
    const requirements = [
      ...doc.security,
      ...operations.flatMap(({ operation }) => operation.security ?? []),
    ];
    for (const requirement of requirements) {
      for (const scheme of Object.keys(requirement)) {
        expect(Object.keys(doc.components.securitySchemes)).toContain(scheme);
      }
    }
    const open = operations.filter(({ operation }) => operation.security?.length === 0);
    expect(open.map(({ path }) => path).sort()).toEqual([
      '/docs',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
    ]);
  });

  it('names every ApiErrorCode in the error enum, each under its own status', () => {
    const errorCode = doc.components.schemas.ErrorCode;
    expect([...(errorCode?.enum ?? [])].sort()).toEqual([...API_ERROR_CODES].sort());
    expect(API_ERROR_CODES.map(httpStatusOf).every((status) => status >= 400)).toBe(true);

    // Each error answer lists its codes; each code must be answered with the status it has.
    const seen = new Set<string>();
    const responses = [
      ...operations.flatMap(({ operation }) => Object.entries(operation.responses)),
      ...Object.entries(doc.components.responses).map(
        ([name, response]) => [name === 'RouteNotFound' ? '404' : '', response] as const,
      ),
    ];
    for (const [status, response] of responses) {
      const schema = resolve(response).content?.['application/json']?.schema;
      const codes = schema?.properties?.error?.properties?.code?.enum as string[] | undefined;
      if (!codes) continue;
      for (const code of codes) {
        seen.add(code);
        if (status !== '') {
          expect([code, String(httpStatusOf(code as never))]).toEqual([code, status]);
        }
      }
    }
    expect([...seen].sort()).toEqual([...API_ERROR_CODES].sort());
  });

  it('describes request bodies with the properties the gateway accepts', () => {
    const pairs: [string, { schema: unknown }][] = [
      ['RunRequest', validateRunRequest],
      ['SaveWorkflowRequest', validateSaveWorkflowRequest],
      ['UpsertVectorRequest', validateUpsertVectorRequest],
      ['SearchVectorsRequest', validateSearchVectorsRequest],
      ['CreateWebhookRequest', validateCreateWebhookRequest],
      ['UpdateWebhookRequest', validateUpdateWebhookRequest],
      ['CreateAppRequest', validateCreateAppRequest],
    ];
    for (const [name, validate] of pairs) {
      const accepted = validate.schema as SchemaObject;
      const documented = doc.components.schemas[name];
      expect([name, Object.keys(documented?.properties ?? {}).sort()]).toEqual([
        name,
        Object.keys(accepted.properties ?? {}).sort(),
      ]);
      expect([name, [...(documented?.required ?? [])].sort()]).toEqual([
        name,
        [...(accepted.required ?? [])].sort(),
      ]);
      expect([name, documented?.additionalProperties]).toEqual([name, false]);
    }
  });

  it('documents every route the gateway serves, and serves every route it documents', () => {
    const app = createGatewayApp(edgeOnlyDeps()) as unknown as { router: { stack: RouterLayer[] } };
    const served = new Set(expressRoutes(app.router.stack));
    const documented = new Set(operations.map(({ path, method }) => `${method} ${shapeOf(path)}`));
    expect(served.size).toBeGreaterThan(30);
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
  });
});

describe('the OpenAPI validator', () => {
  const validator = new OpenApiValidator();
  const exchange = (method: string, path: string, status: number, body: unknown) => ({
    method,
    path,
    status,
    contentType: 'application/json; charset=utf-8',
    body,
  });
  const notFound = (code: string, details: object = {}) => ({
    error: { code, message: 'm', details },
  });

  it('matches concrete paths before templated ones', () => {
    expect(validator.operationOf('GET', '/v1/workflows/runs')?.template).toBe('/v1/workflows/runs');
    expect(validator.operationOf('GET', '/v1/workflows/poem')?.template).toBe(
      '/v1/workflows/{slug}',
    );
    expect(validator.operationOf('GET', '/v1/workflows/runs/versions')?.template).toBe(
      '/v1/workflows/runs/{runId}',
    );
    expect(validator.operationOf('GET', '/v1/webhooks/deliveries/whd_1')?.template).toBe(
      '/v1/webhooks/deliveries/{deliveryId}',
    );
    expect(validator.operationOf('HEAD', '/healthz')?.template).toBe('/healthz');
    expect(validator.operationOf('GET', '/v1/nowhere')).toBeUndefined();
    expect(validator.operationOf('DELETE', '/v1/workflows')).toBeUndefined();
  });

  it('accepts documented answers and flags the rest', () => {
    expect(validator.check(exchange('GET', '/healthz', 200, { status: 'ok' }))).toEqual([]);
    expect(
      validator.check(exchange('GET', '/v1/workflows/runs/run_1', 404, notFound('run_not_found'))),
    ).toEqual([]);
    expect(
      validator.check(
        exchange(
          'GET',
          '/v1/nowhere',
          404,
          notFound('not_found', { method: 'GET', path: '/v1/nowhere' }),
        ),
      ),
    ).toEqual([]);
    // An undocumented route, status, code, property, or a wrong type: each is a problem.
    expect(validator.check(exchange('GET', '/v1/nowhere', 200, {}))).toEqual([
      'no documented operation for GET /v1/nowhere',
    ]);
    expect(validator.check(exchange('GET', '/v1/nowhere', 404, notFound('not_found')))).toEqual([
      "an undocumented route 404: body/error/details must have required property 'method'",
      "an undocumented route 404: body/error/details must have required property 'path'",
    ]);
    expect(validator.check(exchange('GET', '/healthz', 201, { status: 'ok' }))).toEqual([
      'status 201 is not documented for GET /healthz',
    ]);
    expect(
      validator.check(exchange('GET', '/v1/workflows/runs/run_1', 404, notFound('key_not_found'))),
    ).toEqual([expect.stringContaining('/error/code must be equal to one of the allowed values')]);
    expect(validator.check(exchange('GET', '/healthz', 200, { status: 'ok', extra: 1 }))).toEqual([
      'GET /healthz 200: body must NOT have additional properties (extra)',
    ]);
    expect(
      validator.check({
        ...exchange('GET', '/healthz', 200, { status: 'ok' }),
        contentType: 'text/plain',
      }),
    ).toEqual(['GET /healthz 200: a text/plain answer is not documented']);
    const misrouted = validator.check({
      ...exchange('GET', '/v1/workflows/runs/run_1', 200, {}),
      route: '/v1/workflows/:slug',
    });
    expect(misrouted[0]).toContain('the express route /v1/workflows/:slug answered');
    expect(misrouted).toContain(
      "GET /v1/workflows/runs/{runId} 200: body must have required property 'nodes'",
    );
  });
});

describe('/openapi.json and /docs', () => {
  let server: Server;
  let url: string;
  const contract = new ContractRecorder();

  beforeAll(async () => {
    server = createGatewayApp(edgeOnlyDeps({ observeResponse: contract.observe })).listen(
      0,
      '127.0.0.1',
    );
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  afterEach(() => {
    contract.assertNone();
  });

  it('serves the document as JSON without a key', async () => {
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('serves a self-contained HTML reference under a CSP that allows only its own style', async () => {
    const response = await fetch(`${url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await response.text();
    expect(html).toBe(renderOpenApiHtml());
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\son\w+=|style="|https?:\/\//i);
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    for (const { operation } of operations)
      expect(html).toContain(`id="op-${operation.operationId}"`);
    for (const name of Object.keys(doc.components.schemas))
      expect(html).toContain(`id="schema-${name}"`);
    for (const code of API_ERROR_CODES) expect(html).toContain(`<code>${code}</code>`);
  });

  it('passes its own answers, and the errors of the edges, through the contract', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${url}/v1/workflows`)).status).toBe(401);
    const post = (path: string, body: string, contentType = 'application/json') =>
      fetch(url + path, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, 'x-api-key': KEY },
      });
    expect((await post('/v1/workflows/run', '{"workflowSlug": ')).status).toBe(400);
    expect(
      (await post('/v1/workflows/run', '{"appId": "app_2", "workflowSlug": "x"}')).status,
    ).toBe(403);
    expect((await post('/api/workflows', 'x', 'text/plain')).status).toBe(415);
    expect((await post('/v1/keys', '{"name": "ci"}')).status).toBe(400);
  });
});
