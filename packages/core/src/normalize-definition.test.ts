import fc from 'fast-check';
import type { JsonValue } from './json-value';
import { DEFINITION_LIMITS } from './limits';
import { normalizeDefinition } from './normalize-definition';
import { validateRunInput } from './run-input';
import { resolveInputs } from './resolve-references';
import { checkDefinition } from './validate-definition';
import type { WorkflowDefinition } from './definition-types';

const id = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/)
  .filter((s) => !['__proto__', 'constructor', 'prototype'].includes(s));
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });

const retryModel = fc.record({
  maxAttempts: optional(fc.integer({ min: 1, max: 10 })),
  initialDelayMs: optional(fc.integer({ min: 0, max: 10_000 })),
  backoffCoefficient: optional(fc.double({ min: 1, max: 10, noNaN: true })),
  maxDelayMs: optional(fc.integer({ min: 0, max: 100_000 })),
  nonRetryableErrors: optional(
    fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
  ),
  jitter: optional(fc.constantFrom('full' as const, 'equal' as const)),
});

const stepModel = (ids: string[]) =>
  fc.record({
    task: fc.constantFrom('text_generate', 'openai/chat-completion', 'core/delay', 'anything/else'),
    model: optional(fc.string({ minLength: 1, maxLength: 20 })),
    input: optional(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
    ),
    dependsOn: optional(fc.subarray(ids)),
    outputs: optional(
      fc.array(fc.constantFrom('text', 'choices[0].message.content', 'video.url'), {
        maxLength: 2,
      }),
    ),
    retry: optional(retryModel),
    timeout: optional(fc.integer({ min: 1, max: 3600 })),
    onError: optional(fc.constantFrom('fail' as const, 'continue' as const)),
  });

const parameterModel = fc.record({
  type: optional(
    fc.constantFrom(
      'string' as const,
      'number' as const,
      'integer' as const,
      'boolean' as const,
      'object' as const,
      'array' as const,
    ),
  ),
  required: optional(fc.boolean()),
  description: optional(fc.string({ maxLength: 20 })),
});

const workflowModel = fc.uniqueArray(id, { minLength: 0, maxLength: 8 }).chain((ids) =>
  fc.record({
    ids: fc.constant(ids),
    steps: fc.tuple(...ids.map(() => stepModel(ids))),
    name: fc.string({ minLength: 1, maxLength: 30 }),
    description: optional(fc.string({ maxLength: 30 })),
    region: optional(fc.constantFrom('global' as const, 'us' as const, 'eu' as const)),
    timeout: optional(fc.integer({ min: 1, max: 86_400 })),
    parameters: optional(fc.dictionary(id, parameterModel, { maxKeys: 3 })),
  }),
);

type WorkflowModel = typeof workflowModel extends fc.Arbitrary<infer T> ? T : never;

/** Drops undefined members, as a JSON document would not have them. */
function compact<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function asSteps(model: WorkflowModel): unknown {
  return compact({
    name: model.name,
    description: model.description,
    region: model.region,
    timeout: model.timeout,
    inputParameters: model.parameters,
    steps: model.steps.map((step, i) => ({
      id: model.ids[i],
      type: step.task,
      model: step.model,
      input: step.input,
      dependsOn: step.dependsOn,
      outputs: step.outputs,
      retry: step.retry,
      timeout: step.timeout,
      onError: step.onError,
    })),
  });
}

function asCanonical(model: WorkflowModel): unknown {
  const nodes: Record<string, unknown> = {};
  model.steps.forEach((step, i) => {
    nodes[model.ids[i] as string] = {
      task: step.task,
      model_id: step.model,
      inputs: step.input,
      outputs: step.outputs,
      retry: step.retry && {
        max_attempts: step.retry.maxAttempts,
        initial_delay_ms: step.retry.initialDelayMs,
        backoff_coefficient: step.retry.backoffCoefficient,
        max_delay_ms: step.retry.maxDelayMs,
        non_retryable_errors: step.retry.nonRetryableErrors,
        jitter: step.retry.jitter,
      },
      timeout: step.timeout,
      on_error: step.onError,
    };
  });
  const edges = model.steps.flatMap((step, i) =>
    (step.dependsOn ?? []).map((from) => ({ from, to: model.ids[i] })),
  );
  return compact({
    name: model.name,
    description: model.description,
    region: model.region,
    timeout: model.timeout,
    input_parameters: model.parameters,
    dag: { nodes, edges },
  });
}

describe('normalizeDefinition', () => {
  it('gives deep-equal canonical definitions for the steps form and the DAG form', () => {
    fc.assert(
      fc.property(workflowModel, (model) => {
        const fromSteps = normalizeDefinition(asSteps(model));
        const fromDag = normalizeDefinition(asCanonical(model));
        expect(fromSteps.diagnostics.errors).toEqual([]);
        expect(fromDag.diagnostics.errors).toEqual([]);
        expect(fromSteps.form).toBe('steps');
        expect(fromDag.form).toBe('dag');
        expect(fromSteps.definition).toStrictEqual(fromDag.definition);
        expect(JSON.stringify(fromSteps.definition)).toBe(JSON.stringify(fromDag.definition));
      }),
      { numRuns: 200 },
    );
  });

  it('normalizes a canonical definition to itself', () => {
    fc.assert(
      fc.property(workflowModel, (model) => {
        const once = normalizeDefinition(asCanonical(model)).definition;
        expect(normalizeDefinition(once).definition).toStrictEqual(once);
      }),
      { numRuns: 100 },
    );
  });

  it('fills inputs with {} and edges with []', () => {
    expect(
      normalizeDefinition({ name: 'x', dag: { nodes: { a: { task: 'core/delay' } } } }).definition,
    ).toStrictEqual({
      name: 'x',
      dag: { nodes: { a: { task: 'core/delay', inputs: {} } }, edges: [] },
    });
  });

  it('maps dependsOn to edges and camelCase to snake_case', () => {
    const result = normalizeDefinition({
      name: 'S',
      region: 'eu',
      inputParameters: { prompt: { type: 'string', required: true } },
      steps: [
        {
          id: 'a',
          type: 'image_generate',
          model: 'm',
          input: { prompt: '${input.prompt}' },
          retry: { maxAttempts: 5, nonRetryableErrors: ['bad'] },
          onError: 'continue',
        },
        { id: 'b', type: 'enrich_image', dependsOn: ['a'], timeout: 30 },
      ],
    });
    expect(result.definition).toStrictEqual<WorkflowDefinition>({
      name: 'S',
      region: 'eu',
      input_parameters: { prompt: { type: 'string', required: true } },
      dag: {
        nodes: {
          a: {
            task: 'image_generate',
            model_id: 'm',
            inputs: { prompt: '${input.prompt}' },
            retry: { max_attempts: 5, non_retryable_errors: ['bad'] },
            on_error: 'continue',
          },
          b: { task: 'enrich_image', inputs: {}, timeout: 30 },
        },
        edges: [{ from: 'a', to: 'b' }],
      },
    });
  });

  it('refuses a document with both dag and steps, and explains a bare DAG', () => {
    const both = normalizeDefinition({ name: 'x', dag: { nodes: {} }, steps: [] });
    expect(both.diagnostics.errors[0]).toMatchObject({ code: 'schema', path: '/steps' });
    const bare = normalizeDefinition({ nodes: {}, edges: [] });
    expect(bare.diagnostics.errors[0]?.message).toContain('bare DAG');
  });
});

describe('limits', () => {
  const many = (count: number): Record<string, unknown> => {
    const nodes: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) nodes[`n${i}`] = { task: 'core/delay', inputs: { ms: 0 } };
    return nodes;
  };

  it('accepts 1000 nodes and refuses 1001', () => {
    expect(
      normalizeDefinition({ name: 'x', dag: { nodes: many(DEFINITION_LIMITS.maxNodes) } })
        .definition,
    ).toBeDefined();
    const over = normalizeDefinition({
      name: 'x',
      dag: { nodes: many(DEFINITION_LIMITS.maxNodes + 1) },
    });
    expect(over.diagnostics.errors[0]).toMatchObject({ code: 'schema', path: '/dag/nodes' });
  });

  it('refuses more than 5000 edges, in either form', () => {
    const edges = Array.from({ length: DEFINITION_LIMITS.maxEdges + 1 }, (_, i) => ({
      from: `n${i % 100}`,
      to: `n${(i % 100) + 1}`,
    }));
    expect(
      normalizeDefinition({ name: 'x', dag: { nodes: many(2), edges } }).diagnostics.errors[0],
    ).toMatchObject({ path: '/dag/edges' });
    const ids = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const steps = ids.map((stepId) => ({ id: stepId, type: 'core/delay', dependsOn: ids }));
    expect(normalizeDefinition({ name: 'x', steps }).diagnostics.errors[0]).toMatchObject({
      code: 'schema',
      path: '/steps',
    });
  });

  it('refuses bad node ids', () => {
    for (const bad of ['1abc', 'a'.repeat(65), 'has space', 'dot.ted']) {
      const result = normalizeDefinition({
        name: 'x',
        dag: { nodes: { [bad]: { task: 'core/delay' } } },
      });
      expect(result.diagnostics.errors[0]?.path).toBe(`/dag/nodes/${bad}`);
    }
  });

  it('refuses oversized documents, inputs, strings and deep inputs', () => {
    const big = 'x'.repeat(60_000);
    const hugeDoc = {
      name: 'x',
      dag: {
        nodes: Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [
            `n${i}`,
            { task: 'core/transform', inputs: { value: [big] } },
          ]),
        ),
      },
    };
    expect(normalizeDefinition(hugeDoc).diagnostics.errors[0]?.message).toContain('bytes');
    const bigInputs = {
      name: 'x',
      dag: {
        nodes: { a: { task: 'core/transform', inputs: { value: [big, big, big, big, big] } } },
      },
    };
    expect(normalizeDefinition(bigInputs).diagnostics.errors[0]).toMatchObject({
      code: 'schema',
      path: '/dag/nodes/a/inputs',
      node: 'a',
    });
    const longString = {
      name: 'x',
      dag: {
        nodes: {
          a: {
            task: 'core/transform',
            inputs: { value: 'y'.repeat(DEFINITION_LIMITS.maxStringLength + 1) },
          },
        },
      },
    };
    expect(normalizeDefinition(longString).diagnostics.errors[0]?.path).toBe(
      '/dag/nodes/a/inputs/value',
    );
    let deep: JsonValue = 1;
    for (let i = 0; i < DEFINITION_LIMITS.maxInputDepth; i++) deep = [deep];
    const deepInputs = {
      name: 'x',
      dag: { nodes: { a: { task: 'core/transform', inputs: { value: deep } } } },
    };
    expect(normalizeDefinition(deepInputs).diagnostics.errors[0]?.message).toContain('nested');
    const steps = {
      name: 'x',
      steps: [{ id: 'a', type: 'core/transform', input: { value: deep } }],
    };
    expect(normalizeDefinition(steps).diagnostics.errors[0]).toMatchObject({
      path: '/steps/0/input',
    });
  });
});

describe('hostile input', () => {
  const hostileKey = fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '$gt',
    '$where',
    'toString',
    'hasOwnProperty',
    'name',
    'dag',
    'nodes',
    'edges',
    'steps',
    'task',
    'inputs',
    'a',
    'from',
    'to',
    'id',
    'type',
  );
  const hostileObject = fc.object({
    key: hostileKey,
    maxDepth: 6,
    values: [
      fc.jsonValue({ maxDepth: 2 }),
      fc.constant({ $gt: '' }),
      fc.constant('${input.__proto__}'),
      fc.constant('${nodes.a.result.constructor}'),
    ],
  });
  const parsedWithProto = fc
    .jsonValue({ maxDepth: 4 })
    .map(
      (value) =>
        JSON.parse(
          `{"__proto__": ${JSON.stringify(value)}, "constructor": {"prototype": {"polluted": true}}, "name": "x", "dag": {"nodes": {"__proto__": {"task": "core/delay"}}}}`,
        ) as unknown,
    );
  const deepArray = fc.integer({ min: 10, max: 50_000 }).map((depth) => {
    let value: unknown = {};
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
    return value;
  });
  const anything = fc.oneof(
    fc.jsonValue(),
    hostileObject,
    parsedWithProto,
    deepArray,
    fc.anything(),
  );

  it('checkDefinition, validateRunInput and resolveInputs never throw and never pollute Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const definition = checkDefinition({
      name: 'x',
      input_parameters: { prompt: { type: 'string', required: true } },
      dag: { nodes: { a: { task: 'text_generate', inputs: { prompt: '${input.prompt}' } } } },
    }).definition as WorkflowDefinition;
    fc.assert(
      fc.property(anything, (value) => {
        const checked = checkDefinition(value);
        expect(Array.isArray(checked.diagnostics.errors)).toBe(true);
        const wrapped = checkDefinition({
          name: 'x',
          dag: { nodes: { a: { task: 'core/transform', inputs: { value } } }, edges: [] },
        });
        expect(Array.isArray(wrapped.diagnostics.errors)).toBe(true);
        expect(typeof validateRunInput(definition, value).ok).toBe('boolean');
        expect(typeof resolveInputs(value, { input: { prompt: 'p' }, nodes: {} }).ok).toBe(
          'boolean',
        );
      }),
      { numRuns: 400 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values that are not JSON data', () => {
    const withGetter = {
      name: 'x',
      get dag(): never {
        throw new Error('boom');
      },
    };
    expect(checkDefinition(withGetter).diagnostics.errors[0]?.code).toBe('schema');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.dag = cyclic;
    expect(checkDefinition(cyclic).diagnostics.errors[0]?.code).toBe('schema');
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(checkDefinition(proxy).diagnostics.errors[0]?.code).toBe('schema');
    for (const odd of [
      undefined,
      () => 1,
      Symbol('s'),
      10n,
      new Date(),
      new Map(),
      NaN,
      Infinity,
    ]) {
      expect(checkDefinition(odd).diagnostics.errors[0]?.code).toBe('schema');
    }
  });
});
