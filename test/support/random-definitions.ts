import fc from 'fast-check';
import { listTaskTypes } from '@weft/core';
import {
  hostileString,
  hostileValue,
  mutatedBody,
  PROTOTYPE_KEYS,
  withOwnKey,
} from './hostile-json';

/**
 * fast-check arbitraries of workflow definitions for fuzzing what accepts them: random DAGs, most
 * of them plausible (edges forward, references to upstream nodes, known tasks) so that some are
 * valid, perturbed with cycles, self-loops, dangling edges, references to nothing or through the
 * prototype, malformed templates, hostile ids, names and values; in either accepted form.
 */

/** Node ids: mostly valid, sometimes hostile. */
const nodeId: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...PROTOTYPE_KEYS,
      '',
      'a b',
      '$where',
      'a.b',
      '1a',
      'ü',
      'x'.repeat(70),
    ),
  },
);

const task: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('core/transform', 'core/delay', 'core/fail') },
  { weight: 2, arbitrary: fc.constantFrom(...listTaskTypes().map((type) => type.name)) },
  { weight: 1, arbitrary: hostileString },
);

/** `${…}` references to `ids` (and to nothing), well-formed or not. */
function reference(ids: readonly string[], parameters: readonly string[]): fc.Arbitrary<string> {
  const id = fc.constantFrom(...ids, 'ghost', '__proto__');
  const name = fc.constantFrom(...parameters, 'missing', 'constructor');
  const segment = fc.constantFrom('a', 'text', 'choices[0].message.content', '__proto__', '0');
  return fc.oneof(
    id.map((node) => `\${nodes.${node}.result}`),
    fc.tuple(id, segment).map(([node, path]) => `\${nodes.${node}.result.${path}}`),
    name.map((parameter) => `\${input.${parameter}}`),
    fc
      .tuple(id, fc.string({ maxLength: 8 }))
      .map(([node, text]) => `${text} \${nodes.${node}.result}!`),
    fc.constantFrom(
      '${',
      '${}',
      '${nodes.}',
      '${nodes.a.result',
      '${nodes.a.output}',
      '${input}',
      '${env.SECRET}',
      '$${nodes.a.result}',
      '${nodes.a.result.constructor.prototype}',
      '${{nodes.a.result}}',
    ),
  );
}

function value(ids: readonly string[], parameters: readonly string[]): fc.Arbitrary<unknown> {
  const ref = reference(ids, parameters);
  return fc.oneof(
    { weight: 4, arbitrary: ref },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.array(ref, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), ref, { maxKeys: 3 }) },
  );
}

function inputsFor(
  name: string,
  ids: readonly string[],
  parameters: readonly string[],
): fc.Arbitrary<unknown> {
  switch (name) {
    case 'core/transform':
      return value(ids, parameters).map((item) => ({ value: item }));
    case 'core/delay':
      return fc
        .oneof(fc.integer({ min: 0, max: 20 }), hostileValue, reference(ids, parameters))
        .map((ms) => ({ ms }));
    case 'core/fail':
      return fc
        .oneof(fc.constant('boom'), hostileValue, reference(ids, parameters))
        .map((code) => ({ code }));
    default:
      return fc.oneof(
        fc.dictionary(
          fc.constantFrom('prompt', 'text', 'image', 'messages', 'x'),
          value(ids, parameters),
          {
            maxKeys: 3,
          },
        ),
        hostileValue,
      );
  }
}

const parameterSpec: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('string', 'number', 'integer', 'boolean', 'object', 'array'),
        hostileString,
      ),
      required: fc.oneof(fc.boolean(), hostileValue),
      default: fc.jsonValue({ maxDepth: 2 }),
      description: hostileString,
    },
    { requiredKeys: ['type'] },
  ),
  hostileValue,
);

/** Edges of a DAG over `ids`: forward ones (a plausible graph), then perturbed. */
function edges(ids: readonly string[]): fc.Arbitrary<unknown[]> {
  const forward = ids.flatMap((from, i) => ids.slice(i + 1).map((to) => ({ from, to })));
  const id = fc.constantFrom(...ids, 'ghost');
  const perturbation: fc.Arbitrary<unknown> = fc.oneof(
    // A cycle: some forward edge reversed.
    forward.length > 0
      ? fc.constantFrom(...forward).map(({ from, to }) => ({ from: to, to: from }))
      : fc.constant({ from: 'ghost', to: 'ghost' }),
    id.map((self) => ({ from: self, to: self })),
    fc.tuple(id, fc.constant('ghost')).map(([from, to]) => ({ from, to })),
    hostileValue.map((bad) => ({ from: bad, to: ids[0] ?? 'a' })),
    fc.constantFrom({}, { from: 'a' }, 'a->b', null, { from: 'a', to: 'b', extra: 1 }),
  );
  return fc
    .tuple(fc.subarray(forward), fc.array(perturbation, { maxLength: 2 }), fc.boolean())
    .map(([kept, extra, perturb]): unknown[] => (perturb ? [...kept, ...extra] : kept));
}

interface Graph {
  ids: string[];
  parameters: string[];
  nodes: { id: string; task: string; inputs: unknown }[];
  edges: unknown[];
  extras: Record<string, unknown>;
}

const graph: fc.Arbitrary<Graph> = fc
  .tuple(
    fc.uniqueArray(nodeId, { minLength: 0, maxLength: 7 }),
    fc.uniqueArray(
      fc.oneof(fc.stringMatching(/^[a-z]{1,6}$/), fc.constantFrom(...PROTOTYPE_KEYS)),
      {
        maxLength: 3,
      },
    ),
  )
  .chain(([ids, parameters]) =>
    fc.record({
      ids: fc.constant(ids),
      parameters: fc.constant(parameters),
      nodes: fc.tuple(
        ...ids.map((id) =>
          task.chain((name) =>
            inputsFor(name, ids, parameters).map((inputs) => ({ id, task: name, inputs })),
          ),
        ),
      ),
      edges: edges(ids),
      extras: fc.record(
        {
          description: hostileString,
          region: fc.oneof(fc.constantFrom('global', 'us', 'eu'), hostileString),
          timeout: fc.oneof(fc.integer({ min: 1, max: 100 }), hostileValue),
          parameterSpecs: fc.tuple(...parameters.map(() => parameterSpec)),
          junkKey: fc.constantFrom(...PROTOTYPE_KEYS, '$where', 'unknown'),
          junk: hostileValue,
        },
        { requiredKeys: [] },
      ),
    }),
  );

const workflowName: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fuzz', 'Fuzz workflow') },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileValue },
);

function withExtras(target: Record<string, unknown>, graph: Graph): Record<string, unknown> {
  const { description, region, timeout, junkKey, junk } = graph.extras;
  if (description !== undefined) target.description = description;
  if (region !== undefined) target.region = region;
  if (timeout !== undefined) target.timeout = timeout;
  if (junkKey !== undefined) withOwnKey(target, junkKey as string, junk);
  return target;
}

function parametersOf(graph: Graph): Record<string, unknown> | undefined {
  const specs = graph.extras.parameterSpecs as unknown[] | undefined;
  if (!specs) return undefined;
  const parameters: Record<string, unknown> = {};
  graph.parameters.forEach((name, i) => withOwnKey(parameters, name, specs[i]));
  return parameters;
}

interface PlausibleGraph {
  ids: string[];
  withParameter: boolean;
  nodes: { id: string; task: string; inputs: unknown }[];
  edges: { from: string; to: string }[];
}

/** Every node that reaches `id` through `edges`. */
function ancestorsOf(id: string, edges: readonly { from: string; to: string }[]): string[] {
  const found = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const current = queue.pop() as string;
    for (const edge of edges) {
      if (edge.to === current && !found.has(edge.from)) {
        found.add(edge.from);
        queue.push(edge.from);
      }
    }
  }
  return [...found];
}

/** Values that reference only what a node may see: its ancestors' results and the input. */
function plausibleValue(
  ancestors: readonly string[],
  withParameter: boolean,
): fc.Arbitrary<unknown> {
  const refs = [
    ...ancestors.map((id) => `\${nodes.${id}.result}`),
    ...(withParameter ? ['${input.topic}'] : []),
  ];
  const ref = refs.length > 0 ? fc.constantFrom(...refs) : fc.constant('plain');
  return fc.oneof(
    ref,
    ref.map((text) => `about ${text}!`),
    fc.array(ref, { maxLength: 3 }),
    fc.record({ a: ref, b: fc.integer() }),
    fc.jsonValue({ maxDepth: 2 }).filter((value) => !JSON.stringify(value).includes('$')),
  );
}

/** A DAG that should validate: forward edges, references to ancestors, known core tasks. */
const plausibleGraph: fc.Arbitrary<PlausibleGraph> = fc
  .tuple(
    fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { minLength: 1, maxLength: 6 }),
    fc.boolean(),
  )
  .chain(([ids, withParameter]) =>
    fc
      .subarray(ids.flatMap((from, i) => ids.slice(i + 1).map((to) => ({ from, to }))))
      .chain((dagEdges) =>
        fc
          .tuple(
            ...ids.map((id) =>
              fc.oneof(
                {
                  weight: 4,
                  arbitrary: plausibleValue(ancestorsOf(id, dagEdges), withParameter).map(
                    (value) => ({ id, task: 'core/transform', inputs: { value } }),
                  ),
                },
                {
                  weight: 1,
                  arbitrary: fc
                    .integer({ min: 0, max: 5 })
                    .map((ms) => ({ id, task: 'core/delay', inputs: { ms } })),
                },
              ),
            ),
          )
          .map((nodes) => ({ ids, withParameter, nodes, edges: dagEdges })),
      ),
  );

/** A definition that should validate, in the canonical (DAG) form. */
export const plausibleDefinition: fc.Arbitrary<Record<string, unknown>> = plausibleGraph.map(
  (g) => ({
    name: 'Plausible',
    ...(g.withParameter
      ? { input_parameters: { topic: { type: 'string', required: false, default: 'd' } } }
      : {}),
    dag: {
      nodes: Object.fromEntries(g.nodes.map(({ id, task, inputs }) => [id, { task, inputs }])),
      edges: g.edges,
    },
  }),
);

/** A definition in the canonical (DAG) form. */
export const randomDagDefinition: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(graph, workflowName)
  .map(([g, name]) => {
    const nodes: Record<string, unknown> = {};
    for (const node of g.nodes)
      withOwnKey(nodes, node.id, { task: node.task, inputs: node.inputs });
    const parameters = parametersOf(g);
    return withExtras(
      {
        name,
        ...(parameters === undefined ? {} : { input_parameters: parameters }),
        dag: { nodes, edges: g.edges },
      },
      g,
    );
  });

/** A definition in the steps form (camelCase, dependsOn instead of edges). */
export const randomStepsDefinition: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(graph, workflowName)
  .map(([g, name]) => {
    const dependsOn = new Map<string, unknown[]>();
    for (const edge of g.edges) {
      const { from, to } = (edge ?? {}) as { from?: unknown; to?: unknown };
      if (typeof to !== 'string') continue;
      dependsOn.set(to, [...(dependsOn.get(to) ?? []), from]);
    }
    const parameters = parametersOf(g);
    return withExtras(
      {
        name,
        ...(parameters === undefined ? {} : { inputParameters: parameters }),
        steps: g.nodes.map((node) => ({
          id: node.id,
          type: node.task,
          input: node.inputs,
          ...(dependsOn.has(node.id) ? { dependsOn: dependsOn.get(node.id) } : {}),
        })),
      },
      g,
    );
  });

/**
 * A definition in either form: plausible (most of them valid), plausible with one to three
 * hostile mutations, or random and hostile throughout.
 */
export const randomDefinition: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 2, arbitrary: plausibleDefinition },
  {
    weight: 2,
    arbitrary: plausibleDefinition.chain(
      (definition) => mutatedBody(definition) as fc.Arbitrary<Record<string, unknown>>,
    ),
  },
  { weight: 2, arbitrary: randomDagDefinition },
  { weight: 1, arbitrary: randomStepsDefinition },
);
