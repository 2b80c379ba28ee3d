import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import {
  HTTP_METHODS,
  type HttpMethod,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
} from '@weft/contract';
import { OPENAPI_DOCUMENT } from '@weft/gateway';
import {
  addKeyAt,
  HOSTILE_STRINGS,
  hostileString,
  MONGO_OPERATORS,
  mutatedBody,
  nested,
  pathsOf,
  PROTOTYPE_KEYS,
  RAW_BODIES,
  replaceAt,
} from '../../support/hostile-json';
import { expectNoContractViolations, openApiValidator } from '../../support/openapi-validator';
import { randomDefinition } from '../../support/random-definitions';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';

/**
 * Property-based fuzzing of every operation of the OpenAPI document against a real gateway:
 * arbitrary path parameters (real ids among them), query strings and bodies (hostile strings,
 * MongoDB operators and prototype keys in every field position, wrong types, deep nesting, large
 * arrays, broken JSON, other media types). Every answer must be documented for its operation
 * (status, and the JSON body through the fixture's contract check), never a 5xx; and a request
 * writes nothing unless its 2xx answer says it created (or deleted) something.
 */

/** Cases per operation, and random definitions per route that takes one: bounded for CI. */
const RUNS_PER_OPERATION = 40;
const RUNS_PER_DEFINITION_ROUTE = 60;

/** The collections a request may write to, counted around every request. */
const COUNTED = [
  'runs',
  'workflows',
  'workflow_versions',
  'webhook_endpoints',
  'app_results',
  'vector_items',
] as const;
type Counted = (typeof COUNTED)[number];
type Counts = Record<Counted, number>;

/** What a 2xx answer of an operation may change, and which way; nothing else may change. */
const MAY_CHANGE: Readonly<Record<string, Partial<Record<Counted, 'grow' | 'shrink'>>>> = {
  startRun: { runs: 'grow' },
  saveWorkflow: { workflows: 'grow', workflow_versions: 'grow' },
  apiCreateWorkflow: { workflows: 'grow', workflow_versions: 'grow' },
  apiUpdateWorkflow: { workflow_versions: 'grow' },
  apiExecuteWorkflow: { runs: 'grow' },
  createWebhook: { webhook_endpoints: 'grow' },
  deleteWebhook: { webhook_endpoints: 'shrink' },
  upsertVector: { vector_items: 'grow' },
};

const SEED_DEFINITION = {
  name: 'Fuzz seed',
  input_parameters: { topic: { type: 'string', required: true } },
  dag: {
    nodes: {
      a: { task: 'core/transform', inputs: { value: '${input.topic}' } },
      b: { task: 'core/transform', inputs: { value: ['${nodes.a.result}', 1] } },
    },
    edges: [{ from: 'a', to: 'b' }],
  },
};

/** A valid body of each operation that takes one: what the mutations start from. */
const SEED_BODIES: Readonly<Record<string, unknown>> = {
  startRun: {
    workflowSlug: 'fuzz-seed',
    version: 1,
    input: { topic: 'cats' },
    webhookUrl: 'https://example.com/hook',
  },
  saveWorkflow: { slug: 'fuzz-save', definition: SEED_DEFINITION },
  upsertVector: { vector: [0.1, 0.2, 0.3], metadata: { label: 'a' } },
  searchVectors: { vector: [0.1, 0.2, 0.3], top_k: 2 },
  createWebhook: {
    url: 'https://example.com/hook',
    events: ['run.completed'],
    description: 'fuzz',
  },
  updateWebhook: {
    url: 'https://example.com/other',
    events: ['run.failed'],
    description: 'changed',
    enabled: true,
  },
  apiCreateWorkflow: SEED_DEFINITION,
  apiUpdateWorkflow: SEED_DEFINITION,
  apiExecuteWorkflow: { input_params: { topic: 'cats' } },
};

/** Operations whose body holds a workflow definition. */
const DEFINITION_BODIES: ReadonlySet<string> = new Set([
  'startRun',
  'saveWorkflow',
  'apiCreateWorkflow',
  'apiUpdateWorkflow',
]);

/** Media types sent with a body, the right one most often. */
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
];

/** A body as sent: JSON of a value, or raw text. */
type Body = { json: unknown } | { raw: string } | undefined;

interface Operation {
  template: string;
  method: HttpMethod;
  operation: OperationObject;
}

const OPERATIONS: Operation[] = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([template, item]) =>
  HTTP_METHODS.flatMap((method) => {
    const operation = item[method];
    return operation ? [{ template, method, operation }] : [];
  }),
);

/** Percent-encodes every byte outside the unreserved set; lone surrogates become U+FFFD. */
function encodeSegment(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The JSON text of `seed` with arrays nested `depth` deep at `path`. */
function deepAt(seed: unknown, path: (string | number)[], depth: number): string {
  return JSON.stringify(replaceAt(seed, path, '\u0001deep')).replace(
    '"\\u0001deep"',
    `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );
}

/** What an HTTP header can carry of `value`: tabs and Latin-1 printable characters. */
function headerValue(value: string): string {
  return [...value]
    .filter((char) => {
      const code = char.charCodeAt(0);
      return char === '\t' || (code >= 0x20 && code !== 0x7f && code <= 0xff);
    })
    .join('');
}

/** Path segments sent as they are: broken escapes, traversal, encoded slashes. */
const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '..', '%2e%2e', '%2F', '%00', ';', '~'];

function queryParameters(operation: OperationObject): ParameterObject[] {
  return (operation.parameters ?? []).flatMap((parameter: ParameterObject | ReferenceObject) => {
    const resolved =
      '$ref' in parameter
        ? OPENAPI_DOCUMENT.components.parameters[parameter.$ref.split('/').pop() ?? '']
        : parameter;
    return resolved?.in === 'query' ? [resolved] : [];
  });
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let gateway: GatewayFixture;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let port = 0;
  /** Real ids and names by path parameter, so cases reach past the "not found". */
  const real: Record<string, string[]> = {};
  let counts: Counts;
  const tally = { cases: 0, serverErrors: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    // Limits off: the fuzzer sends thousands of requests, many with keys made up on purpose.
    gateway = await startGatewayFixture('api-fuzz', {
      rateLimitPerMinute: 0,
      authFailuresPerMinute: 0,
    });
    port = Number(new URL(gateway.url).port);
    const post = async (path: string, body: unknown, expected: number) => {
      const response = await gateway.request('POST', path, { body });
      expect(response.status).toBe(expected);
      return response.body as Record<string, unknown>;
    };
    await post('/v1/workflows', { slug: 'fuzz-seed', definition: SEED_DEFINITION }, 201);
    const created = await post('/api/workflows', SEED_DEFINITION, 201);
    const workflowId = (created.workflow as { id: string }).id;
    const runs = await Promise.all(
      [1, 2].map(async () => {
        const accepted = await post(
          '/v1/workflows/run',
          { workflowSlug: 'fuzz-seed', input: { topic: 'cats' } },
          202,
        );
        return accepted.runId as string;
      }),
    );
    // One run cancelled, so resume has something to resume.
    await post(`/v1/workflows/runs/${runs[1]}/cancel`, undefined, 200);
    const webhook = await post('/v1/webhooks', { url: 'https://example.com/seed' }, 201);
    const webhookId = (webhook.webhook as { id: string }).id;
    expect(
      (await gateway.request('PUT', '/v1/indexes/fuzz/items/one', { body: { vector: [1, 0, 0] } }))
        .status,
    ).toBe(200);
    // A key of the app's that may be revoked; the fixture's own key is never offered.
    const spare = await post('/v1/keys', undefined, 201);
    const document = await gateway.results.insert({
      appId: gateway.appId,
      collection: 'fuzz',
      document: { a: 1 },
    });
    const artifact = await gateway.artifacts.put({
      appId: gateway.appId,
      bytes: Buffer.from('fuzz'),
      contentType: 'text/plain',
    });
    Object.assign(real, {
      runId: runs,
      executionId: runs,
      slug: ['fuzz-seed', 'image-generate-v1'],
      version: ['1', '2'],
      workflowId: [workflowId],
      webhookId: [webhookId],
      deliveryId: ['whd_0123456789abcdef01234567'],
      keyId: [(spare.key as { id: string }).id],
      index: ['fuzz'],
      itemId: ['one', 'two'],
      collection: ['fuzz'],
      documentId: [document.id],
      artifactId: [artifact.id],
    });
    counts = await countAll();
  });

  afterAll(async () => {
    agent.destroy();
    const byStatus = [...tally.byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    console.log(`api-fuzz: ${tally.cases} cases, ${tally.serverErrors} 5xx (${byStatus})`);
    await gateway?.close();
  });

  async function countAll(): Promise<Counts> {
    const values = await Promise.all(COUNTED.map((name) => gateway.count(name)));
    return Object.fromEntries(COUNTED.map((name, i) => [name, values[i]])) as Counts;
  }

  /** Sends one request as raw HTTP (bodies on any method, paths as written). */
  function send(
    method: string,
    path: string,
    body: Body,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; contentType: string; text: string }> {
    const payload =
      body === undefined ? undefined : 'raw' in body ? body.raw : JSON.stringify(body.json);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: {
            'x-api-key': gateway.apiKey,
            ...headers,
            ...(payload === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          const type = response.headers['content-type'] ?? '';
          const status = response.statusCode ?? 0;
          // A run's event stream stays open while the run goes on: its status is enough.
          if (type.startsWith('text/event-stream')) {
            response.destroy();
            resolve({ status, contentType: type, text: '' });
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status, contentType: type, text: Buffer.concat(chunks).toString() }),
          );
          response.on('error', reject);
        },
      );
      request.setTimeout(20_000, () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** Sends a case and checks everything an answer must satisfy; returns the status. */
  async function exchange(
    method: string,
    path: string,
    body: Body,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ): Promise<number> {
    const answer = await send(method, path, body, contentType, headers);
    tally.cases++;
    tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
    const where = `${method} ${path.slice(0, 300)}`;
    if (answer.status >= 500) {
      tally.serverErrors++;
      throw new Error(`${where} → ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
    // JSON answers were checked against the document as the gateway sent them.
    expectNoContractViolations();
    const found = openApiValidator().operationOf(method, path.split('?')[0] ?? '');
    if (found) {
      const status = String(answer.status);
      const documented = [status, `${status[0] ?? ''}XX`, 'default'].some(
        (key) => found.operation.responses[key] !== undefined,
      );
      if (!documented) {
        throw new Error(`${where} → ${answer.status}, not documented for ${found.template}`);
      }
    } else if (answer.status !== 404) {
      throw new Error(`${where} → ${answer.status}, but no operation matches it`);
    }
    const before = counts;
    counts = await countAll();
    const allowed =
      answer.status < 300 ? (MAY_CHANGE[found?.operation.operationId ?? ''] ?? {}) : {};
    for (const name of COUNTED) {
      const change = counts[name] - before[name];
      if (change === 0) continue;
      const expected = allowed[name];
      const fits =
        (expected === 'grow' && change === 1) || (expected === 'shrink' && change === -1);
      if (!fits) {
        throw new Error(
          `${where} → ${answer.status} changed ${name} by ${change} ` +
            `(${found?.operation.operationId ?? 'no operation'} may not)`,
        );
      }
    }
    return answer.status;
  }

  /** A path for `template`: each parameter a real id, a hostile string, or broken escapes. */
  function pathFor(template: string): fc.Arbitrary<string> {
    const segments = template.split('/').map((segment) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (name === undefined) return fc.constant(segment);
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...(real[name] ?? ['x'])) },
        // Never empty: the validator would match `//` to a template (a quirk), express to no route.
        { weight: 3, arbitrary: hostileString.map(encodeSegment).filter((part) => part !== '') },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
      );
    });
    return fc.tuple(...segments).map((parts) => parts.join('/'));
  }

  /** A query string: documented parameters with good and bad values, unknown ones, repeats. */
  function queryFor(operation: OperationObject): fc.Arbitrary<string> {
    const names = queryParameters(operation).map((parameter) => parameter.name);
    const value = fc.oneof(
      fc.constantFrom('1', '20', '100', '0', '-1', '101', '1e2', '0x10', ' 5', 'completed', ''),
      fc.constantFrom(...Object.values(real).flat()),
      hostileString,
    );
    const pair = fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: names.length > 0 ? fc.constantFrom(...names) : hostileString },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'limit[$gt]', 'status[]', 'x'),
        },
      ),
      value,
    );
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant('') },
      {
        weight: 4,
        arbitrary: fc
          .array(pair, { minLength: 1, maxLength: 4 })
          .map(
            (pairs) =>
              `?${pairs.map(([key, item]) => `${encodeSegment(key)}=${encodeSegment(item)}`).join('&')}`,
          ),
      },
      { weight: 1, arbitrary: fc.constantFrom('?%', '?limit=%zz', '?&&', '?=', '?limit') },
    );
  }

  /** Bodies for an operation: its seed, mutated most often, or anything else. */
  function bodyFor(operationId: string, method: HttpMethod): fc.Arbitrary<Body> {
    const seed = SEED_BODIES[operationId] ?? {};
    const takesBody = method === 'post' || method === 'put' || method === 'patch';
    const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => ({ json: value }));
    return fc.oneof(
      { weight: takesBody ? 1 : 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: json(fc.constant(seed)) },
      { weight: takesBody ? 6 : 1, arbitrary: json(mutatedBody(seed)) },
      { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((raw) => ({ raw })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...pathsOf(seed)), fc.integer({ min: 1_000, max: 100_000 }))
          // Deep nesting at any position: JSON.parse takes it, recursive code might not.
          .map(([path, depth]) => ({ raw: deepAt(seed, path, depth) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...pathsOf(seed)),
            // Within the 1 MiB body limit; smaller in definitions, until the known bug below
            // (validating many invalid items takes quadratic time) is fixed.
            fc.integer({ min: 1_000, max: DEFINITION_BODIES.has(operationId) ? 4_000 : 100_000 }),
          )
          .map(([path, length]) => ({
            json: replaceAt(
              seed,
              path,
              Array.from({ length }, (_, i) => i % 10),
            ),
          })),
      },
    );
  }

  it.each(OPERATIONS.map((entry) => [`${entry.method.toUpperCase()} ${entry.template}`, entry]))(
    '%s answers arbitrary requests as documented, never 5xx, writing only on success',
    async (_name, { template, method, operation }) => {
      await fc.assert(
        fc.asyncProperty(
          pathFor(template),
          queryFor(operation),
          bodyFor(operation.operationId, method),
          fc.constantFrom(...CONTENT_TYPES),
          async (path, query, body, contentType) => {
            await exchange(method.toUpperCase(), path + query, body, contentType);
          },
        ),
        { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    },
  );

  it('refuses MongoDB operators, prototype keys and deep nesting in every field of every body', async () => {
    for (const { template, method, operation } of OPERATIONS) {
      const seed = SEED_BODIES[operation.operationId];
      if (seed === undefined) continue;
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => real[name]?.[0] ?? 'x');
      for (const at of pathsOf(seed)) {
        for (const operator of [MONGO_OPERATORS[0], MONGO_OPERATORS[2]]) {
          await exchange(method.toUpperCase(), path, { json: replaceAt(seed, at, operator) });
        }
        for (const key of [...PROTOTYPE_KEYS, '$where']) {
          await exchange(method.toUpperCase(), path, {
            json: addKeyAt(seed, at, key, { polluted: true }),
          });
        }
        // Nesting far deeper than any limit: JSON.parse takes it, recursive code would not.
        await exchange(method.toUpperCase(), path, { raw: deepAt(seed, at, 20_000) });
      }
    }
    // Nothing reached a prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['POST /v1/workflows', (definition: unknown) => ({ slug: 'fuzz-random', definition })],
    ['POST /api/workflows', (definition: unknown) => definition],
    ['POST /v1/workflows/run', (plan: unknown) => ({ plan, input: { topic: 'x' } })],
  ])(
    '%s takes random definitions: accepted or refused with diagnostics, never 5xx',
    async (route, wrap) => {
      const [method = 'POST', path = ''] = route.split(' ');
      const outcomes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(randomDefinition, async (definition) => {
          const status = await exchange(method, path, { json: wrap(definition) });
          outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
          expect([201, 202, 400, 422]).toContain(status);
        }),
        { numRuns: RUNS_PER_DEFINITION_ROUTE, endOnFailure: true },
      );
      console.log(`api-fuzz: ${route} with random definitions: ${JSON.stringify([...outcomes])}`);
    },
  );

  it('refuses arbitrary API keys with 401, whatever they hold', async () => {
    const key = fc.oneof(
      fc.constantFrom('{"$gt": ""}', '$where', 'weft_', 'weft_abcdefgh_', `${gateway.apiKey}x`),
      fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(
        // What an HTTP header can carry: no control characters, no surrounding spaces.
        key.map((value) => headerValue(value).trim()).filter(Boolean),
        fc.constantFrom('GET /v1/keys', 'POST /v1/workflows/run', 'GET /api/workflows'),
        async (apiKey, route) => {
          const [method = 'GET', path = '/'] = route.split(' ');
          const status = await exchange(method, path, { json: SEED_BODIES.startRun }, undefined, {
            'x-api-key': apiKey,
          });
          expect(status).toBe(401);
        },
      ),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('takes any Idempotency-Key: a run for a good one, 400 for a bad one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.string({ unit: 'binary-ascii', maxLength: 250 }), hostileString)
          .map(headerValue),
        async (idempotencyKey) => {
          const status = await exchange(
            'POST',
            '/v1/workflows/run',
            { json: SEED_BODIES.startRun },
            undefined,
            { 'idempotency-key': idempotencyKey },
          );
          expect([202, 400]).toContain(status);
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('answers path parameters that are not valid percent-encoding with 400, not 500', async () => {
    for (const path of [
      '/v1/workflows/%zz',
      '/v1/workflows/runs/%E0%A4%A',
      '/api/workflows/%',
      '/v1/collections/%C0%AF/documents',
      '/v1/webhooks/%zz/deliveries',
    ]) {
      expect(await exchange('GET', path, undefined)).toBe(400);
    }
  });

  it('refuses a vector whose length overflows instead of answering NaN scores', async () => {
    const huge = { vector: [1e308, -1e308, 1e308] };
    expect(await exchange('PUT', '/v1/indexes/fuzz/items/huge', { json: huge })).toBe(400);
    expect(await exchange('POST', '/v1/indexes/fuzz/search', { json: huge })).toBe(400);
    expect(await exchange('POST', '/v1/indexes/fuzz/search', { json: { vector: [0, 0, 0] } })).toBe(
      200,
    );
  });

  it('refuses vector metadata nested too deep instead of overflowing the stack', async () => {
    const deep = `{"vector": [1, 0, 0], "metadata": {"a": ${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    expect(await exchange('PUT', '/v1/indexes/fuzz/items/deep', { raw: deep })).toBe(400);
    const nested32 = { vector: [1, 0, 0], metadata: nested(31, 'object') };
    expect(await exchange('PUT', '/v1/indexes/fuzz/items/deep', { json: nested32 })).toBe(200);
  });

  it('ignores the body of a GET or DELETE, instead of answering it 400 or 415', async () => {
    const junk = { raw: '{"not": json' };
    expect(await exchange('GET', '/v1/keys', junk)).toBe(200);
    expect(await exchange('GET', '/v1/webhooks', junk, 'text/plain')).toBe(200);
    expect(await exchange('DELETE', '/v1/webhooks/wh_0000000000000000000000', junk)).toBe(404);
  });

  // describeSchemaErrors used to filter every schema error against every other: 20,000 invalid
  // edges (60 KB) blocked the gateway's event loop for seconds. Now indexed, and capped.
  it('refuses a definition with 20,000 invalid edges within 1 s', async () => {
    const definition = {
      name: 'many edges',
      dag: { nodes: {}, edges: Array.from({ length: 20_000 }, (_, i) => i % 10) },
    };
    const started = Date.now();
    expect(
      await exchange('POST', '/v1/workflows', { json: { slug: 'fuzz-edges', definition } }),
    ).toBe(422);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('is still up and answering after everything', async () => {
    expect(HOSTILE_STRINGS.length).toBeGreaterThan(0);
    const health = await gateway.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(gateway.logs.filter((line) => line.msg === 'request failed')).toEqual([]);
  });
});
