import type {
  InputParameter,
  JsonValue,
  NodeDefinition,
  PathSegment,
  WorkflowDefinition,
} from '@weft/core';

/**
 * The editor's changes to a definition, as pure functions: each returns a new definition and
 * leaves the given one untouched, so React sees every change and undo stays possible.
 */

function withDag(
  definition: WorkflowDefinition,
  dag: Partial<WorkflowDefinition['dag']>,
): WorkflowDefinition {
  return { ...definition, dag: { ...definition.dag, ...dag } };
}

/** A node id not used yet: `base`, else `base_2`, `base_3`, … */
export function freeNodeId(definition: WorkflowDefinition, base = 'node'): string {
  const taken = new Set(Object.keys(definition.dag.nodes));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Adds a node (no model yet: the editor asks for one). */
export function addNode(
  definition: WorkflowDefinition,
  id: string,
  node: NodeDefinition,
): WorkflowDefinition {
  return withDag(definition, { nodes: { ...definition.dag.nodes, [id]: node } });
}

/** Removes a node and every edge touching it. */
export function removeNode(definition: WorkflowDefinition, id: string): WorkflowDefinition {
  const nodes = { ...definition.dag.nodes };
  delete nodes[id];
  return withDag(definition, {
    nodes,
    edges: definition.dag.edges.filter((edge) => edge.from !== id && edge.to !== id),
  });
}

/** Adds `from → to` unless it is already there. */
export function addEdge(
  definition: WorkflowDefinition,
  from: string,
  to: string,
): WorkflowDefinition {
  if (definition.dag.edges.some((edge) => edge.from === from && edge.to === to)) return definition;
  return withDag(definition, { edges: [...definition.dag.edges, { from, to }] });
}

/** Removes every `from → to` edge. */
export function removeEdge(
  definition: WorkflowDefinition,
  from: string,
  to: string,
): WorkflowDefinition {
  return withDag(definition, {
    edges: definition.dag.edges.filter((edge) => edge.from !== from || edge.to !== to),
  });
}

/** Replaces a node's fields (task, model, inputs, …) with `patch`; `undefined` removes one. */
export function updateNode(
  definition: WorkflowDefinition,
  id: string,
  patch: Partial<{ [K in keyof NodeDefinition]: NodeDefinition[K] | undefined }>,
): WorkflowDefinition {
  const current = definition.dag.nodes[id];
  if (current === undefined) return definition;
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return withDag(definition, {
    nodes: { ...definition.dag.nodes, [id]: next as unknown as NodeDefinition },
  });
}

function setAt(container: unknown, path: readonly PathSegment[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const array = Array.isArray(container) ? [...(container as unknown[])] : [];
    if (rest.length === 0 && value === undefined) array.splice(head, 1);
    else array[head] = setAt(array[head], rest, value);
    return array;
  }
  const object: Record<string, unknown> =
    typeof container === 'object' && container !== null && !Array.isArray(container)
      ? { ...(container as Record<string, unknown>) }
      : {};
  if (rest.length === 0 && value === undefined) delete object[head];
  else object[head] = setAt(object[head], rest, value);
  return object;
}

/**
 * Sets the input at `path` (e.g. `['messages', 1, 'content']`) of a node; `undefined` removes
 * it (an array element is spliced out).
 */
export function setNodeInput(
  definition: WorkflowDefinition,
  id: string,
  path: readonly PathSegment[],
  value: JsonValue | undefined,
): WorkflowDefinition {
  const node = definition.dag.nodes[id];
  if (node === undefined || path.length === 0) return definition;
  const inputs = setAt(node.inputs ?? {}, path, value) as Record<string, JsonValue>;
  return updateNode(definition, id, { inputs });
}

/** Every string in `value` with `from` replaced by `to` (references are plain text). */
function replaceInStrings(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, from, to));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceInStrings(item, from, to)]),
    );
  }
  return value;
}

/** A reference prefix followed by the end of the name: `${input.prompt}` and `${input.prompt.x}`. */
function replaceReferences(
  definition: WorkflowDefinition,
  prefix: string,
  from: string,
  to: string,
  renameKey?: { from: string; to: string },
): Record<string, NodeDefinition> {
  const nodes: Record<string, NodeDefinition> = {};
  for (const [id, node] of Object.entries(definition.dag.nodes)) {
    let inputs: unknown = node.inputs;
    for (const end of ['.', '}', '[']) {
      inputs = replaceInStrings(inputs, `\${${prefix}${from}${end}`, `\${${prefix}${to}${end}`);
    }
    const key = renameKey !== undefined && id === renameKey.from ? renameKey.to : id;
    nodes[key] = { ...node, inputs: inputs as NodeDefinition['inputs'] };
  }
  return nodes;
}

/**
 * Renames a node: its key, the edges naming it and the `${nodes.<id>.…}` references to it in
 * other nodes' inputs. Node order is kept.
 */
export function renameNode(
  definition: WorkflowDefinition,
  from: string,
  to: string,
): WorkflowDefinition {
  if (from === to || definition.dag.nodes[from] === undefined) return definition;
  return withDag(definition, {
    nodes: replaceReferences(definition, 'nodes.', from, to, { from, to }),
    edges: definition.dag.edges.map((edge) => ({
      from: edge.from === from ? to : edge.from,
      to: edge.to === from ? to : edge.to,
    })),
  });
}

/** The workflow-level settings the Settings tab edits. */
export type Settings = Pick<WorkflowDefinition, 'name' | 'description' | 'region' | 'timeout'>;

/** Sets workflow-level settings; `undefined` removes an optional one. */
export function updateSettings(
  definition: WorkflowDefinition,
  patch: Partial<{ [K in keyof Settings]: Settings[K] | undefined }>,
): WorkflowDefinition {
  const next: Record<string, unknown> = { ...definition };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as WorkflowDefinition;
}

/**
 * Replaces the input parameters, keeping their order; an empty list removes the setting (then
 * parameters are inferred from `${input.*}` references).
 */
export function setInputParameters(
  definition: WorkflowDefinition,
  parameters: readonly (readonly [string, InputParameter])[],
): WorkflowDefinition {
  const next: WorkflowDefinition = { ...definition };
  if (parameters.length === 0) delete next.input_parameters;
  else next.input_parameters = Object.fromEntries(parameters);
  return next;
}

/** Renames an input parameter and the `${input.<name>…}` references to it; order is kept. */
export function renameInputParameter(
  definition: WorkflowDefinition,
  from: string,
  to: string,
): WorkflowDefinition {
  const parameters = definition.input_parameters;
  if (from === to || parameters === undefined || !Object.hasOwn(parameters, from)) {
    return definition;
  }
  const renamed = Object.entries(parameters).map(
    ([name, parameter]) => [name === from ? to : name, parameter] as const,
  );
  return {
    ...setInputParameters(definition, renamed),
    dag: { ...definition.dag, nodes: replaceReferences(definition, 'input.', from, to) },
  };
}

/**
 * Whether a parsed JSON value has the shape the canvas needs (nodes keyed by id, edges naming
 * two nodes), so the JSON tab can hand it on. Everything finer is the validator's job.
 */
export function isEditableDefinition(value: unknown): value is WorkflowDefinition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const dag = (value as { dag?: unknown }).dag;
  if (typeof dag !== 'object' || dag === null) return false;
  const { nodes, edges } = dag as { nodes?: unknown; edges?: unknown };
  if (typeof nodes !== 'object' || nodes === null || Array.isArray(nodes)) return false;
  if (
    !Object.values(nodes).every(
      (node) => typeof node === 'object' && node !== null && !Array.isArray(node),
    )
  ) {
    return false;
  }
  return (
    Array.isArray(edges) &&
    edges.every(
      (edge: unknown) =>
        typeof edge === 'object' &&
        edge !== null &&
        typeof (edge as { from?: unknown }).from === 'string' &&
        typeof (edge as { to?: unknown }).to === 'string',
    )
  );
}

/** A slug made from a name: `Prompt to Video` → `prompt-to-video`. */
export function slugFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug === '' ? 'workflow' : slug;
}

/** `base`, else `base-2`, `base-3`, … whichever is not in `taken`. */
export function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const slug = `${base.slice(0, 60)}-${n}`;
    if (!taken.has(slug)) return slug;
  }
}
