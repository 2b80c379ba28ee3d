import type { ErrorObject } from 'ajv';
import type { InputParameter, NodeDefinition, WorkflowDefinition } from './definition-types';
import {
  emptyDiagnostics,
  report,
  truncateDiagnostics,
  type Diagnostic,
  type DiagnosticCode,
  type Diagnostics,
} from './diagnostics';
import { ancestryOf, buildGraphIndex, cycleIn, topologicalPositions } from './graph';
import { fitsParameterType } from './input-parameters';
import { describeTypes, typedLookupMemo, typesOverlap, type AcceptedTypes } from './json-schema';
import { escapePointerToken, jsonEqual, unescapePointerToken } from './json-value';
import { DEFINITION_LIMITS } from './limits';
import { normalizeWithOrigin, toSourceField, toSourcePath } from './normalize-definition';
import { formatPath, parsePath, scanReferences, type ReferenceOccurrence } from './references';
import { compileSchema, describeSchemaErrors } from './schema-compiler';
import { BUILT_IN_TASKS, type TaskCatalogue } from './task-catalogue';
import type { TaskType } from './task-types';

function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointerToken);
}

/** `/messages/1/content` → `messages[1].content`, the way references and editors name fields. */
function fieldName(pointer: string): string {
  const tokens = pointerTokens(pointer);
  return formatPath(
    tokens.map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token)),
  );
}

function quoteList(values: readonly string[], limit = 12): string {
  const shown = values.slice(0, limit).map((value) => `"${value}"`);
  return values.length > limit ? `${shown.join(', ')}, ...` : shown.join(', ');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Edit-distance work allowed for "did you mean" suggestions in one validation (DP cells). */
const SUGGESTION_BUDGET = 2_000_000;

/**
 * Suggests the closest known name. Shares a work budget across one validation, so a document
 * full of misspelt references cannot make suggestions quadratic.
 */
function suggester(): (name: string, candidates: readonly string[]) => string | undefined {
  let budget = SUGGESTION_BUDGET;
  return (name, candidates) => {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
    for (const candidate of candidates) {
      budget -= (name.length + 1) * (candidate.length + 1);
      if (budget < 0) return undefined;
      const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  };
}

function parameterTypes(parameter: InputParameter | undefined): AcceptedTypes {
  if (parameter?.type === undefined) return 'any';
  return new Set([parameter.type]);
}

/** True when `path` is one of `pointers` or lies inside one, found in O(depth). */
function isUnderAny(path: string, pointers: ReadonlySet<string>): boolean {
  for (let at = path; at !== ''; at = at.slice(0, at.lastIndexOf('/'))) {
    if (pointers.has(at)) return true;
  }
  return false;
}

/** Context shared by the per-node checks. */
interface NodeContext {
  id: string;
  node: NodeDefinition;
  path: string;
  taskType: TaskType | undefined;
  /** The task types the definition may name. */
  catalogue: TaskCatalogue;
  /** Memoized schema path lookups shared by the whole validation. */
  lookup: ReturnType<typeof typedLookupMemo>;
  /** "Did you mean" suggestions, within one validation's budget. */
  closest: ReturnType<typeof suggester>;
  add: (code: DiagnosticCode, message: string, extra?: { field?: string; path?: string }) => void;
}

function checkParameters(definition: WorkflowDefinition, diagnostics: Diagnostics): void {
  const parameters = definition.input_parameters ?? {};
  for (const name of Object.keys(parameters)) {
    const parameter = parameters[name] as InputParameter;
    const path = `/input_parameters/${escapePointerToken(name)}`;
    const bad = (message: string, key: string): void =>
      report(diagnostics, {
        code: 'invalid_parameter_default',
        message,
        field: name,
        path: `${path}/${key}`,
      });
    if (parameter.enum !== undefined) {
      parameter.enum.forEach((value, i) => {
        if (!fitsParameterType(parameter.type, value)) {
          bad(
            `Input parameter "${name}" is ${String(parameter.type)}, but enum value ${JSON.stringify(value)} is not`,
            `enum/${i}`,
          );
        }
      });
    }
    if (parameter.default === undefined) continue;
    if (!fitsParameterType(parameter.type, parameter.default)) {
      bad(
        `Input parameter "${name}" is ${String(parameter.type)}, but its default ${JSON.stringify(parameter.default)} is not`,
        'default',
      );
    } else if (
      parameter.enum !== undefined &&
      !parameter.enum.some((value) => jsonEqual(value, parameter.default))
    ) {
      bad(`The default of input parameter "${name}" is not one of its enum values`, 'default');
    }
  }
}

function checkTaskAndModel(context: NodeContext): void {
  const { id, node, taskType, add } = context;
  if (taskType === undefined) {
    const suggestion = context.closest(node.task, context.catalogue.names());
    add(
      'unknown_task',
      `Node "${id}" uses task "${node.task}", which does not exist${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
      { field: 'task', path: `${context.path}/task` },
    );
    return;
  }
  if (taskType.needsModel && node.model_id === undefined) {
    add(
      'missing_model',
      `Node "${id}" (${taskType.name}) needs a model${taskType.models.length > 0 ? `; choose one of ${quoteList(taskType.models)}` : ''}`,
      { field: 'model_id', path: context.path },
    );
  }
  if (
    node.model_id !== undefined &&
    taskType.models.length > 0 &&
    !taskType.models.includes(node.model_id)
  ) {
    add(
      'incompatible_model',
      `Model "${node.model_id}" is not available for ${taskType.name} (node "${id}"); choose one of ${quoteList(taskType.models)}`,
      { field: 'model_id', path: `${context.path}/model_id` },
    );
  }
}

/** Literal input values against the task's input schema; strings holding references are checked as types instead. */
function checkInputs(context: NodeContext, referencePointers: ReadonlySet<string>): void {
  const { id, node, taskType, add } = context;
  if (taskType === undefined) return;
  const validate = compileSchema(taskType.inputSchema);
  if (!validate(node.inputs)) {
    const errors = (validate.errors ?? []).filter(
      (error: ErrorObject) => !isUnderAny(error.instancePath, referencePointers),
    );
    for (const problem of describeSchemaErrors(errors)) {
      const field = fieldName(problem.path);
      add(
        'invalid_inputs',
        field === ''
          ? `Node "${id}", inputs: ${problem.message}`
          : `Node "${id}", input "${field}": ${problem.message}`,
        { path: `${context.path}/inputs${problem.path}`, ...(field === '' ? {} : { field }) },
      );
    }
  }
  if (taskType.inputSchema.additionalProperties === true) {
    const known = taskType.inputSchema.properties ?? {};
    for (const key of Object.keys(node.inputs)) {
      if (Object.hasOwn(known, key)) continue;
      add(
        'unknown_input_field',
        `Node "${id}": "${key}" is not an input ${taskType.name} declares (${quoteList(Object.keys(known))}); it is passed to the provider as is`,
        { field: key, path: `${context.path}/inputs/${escapePointerToken(key)}` },
      );
    }
  }
}

function checkOutputs(context: NodeContext): void {
  const { id, node, taskType, add } = context;
  (node.outputs ?? []).forEach((output, i) => {
    const path = `${context.path}/outputs/${i}`;
    const parsed = parsePath(output);
    if (!parsed.ok) {
      add('malformed_reference', `Node "${id}": output path ${parsed.problem.message}`, { path });
      return;
    }
    if (
      taskType !== undefined &&
      !context.lookup(taskType.outputSchema, output, parsed.value).found
    ) {
      add(
        'unknown_output_path',
        `Node "${id}": the result of ${taskType.name} has no "${output}"`,
        { path },
      );
    }
  });
}

/**
 * Checks a normalized definition: graph shape, tasks and models, references, input schemas and
 * types. Expects the output of normalizeDefinition (schema-valid); paths are canonical. The task
 * types are `catalogue`'s (default: the built-in ones).
 */
export function validateDefinition(
  definition: WorkflowDefinition,
  catalogue: TaskCatalogue = BUILT_IN_TASKS,
): Diagnostics {
  const diagnostics = emptyDiagnostics();
  const { nodes, edges } = definition.dag;
  const ids = Object.keys(nodes);
  const index = buildGraphIndex(definition, { ignoreSelfEdges: true });
  const hasNode = (id: string): boolean => index.position.has(id);
  const nodeList = (): string =>
    ids.length === 0 ? 'the workflow has no nodes' : `nodes are ${quoteList(ids)}`;

  const firstEdge = new Map<number, number>();
  const connected = new Uint8Array(ids.length);
  let connectedCount = 0;
  edges.forEach((edge, k) => {
    const from = index.position.get(edge.from);
    const to = index.position.get(edge.to);
    if (from === undefined || to === undefined) {
      for (const end of ['from', 'to'] as const) {
        if (hasNode(edge[end])) continue;
        report(diagnostics, {
          code: 'unknown_edge_node',
          message: `Edge ${edge.from} → ${edge.to} names "${edge[end]}", which is not a node; ${nodeList()}`,
          path: `/dag/edges/${k}/${end}`,
        });
      }
      return;
    }
    if (from === to) {
      report(diagnostics, {
        code: 'self_edge',
        message: `Node "${edge.from}" has an edge to itself; remove it`,
        node: edge.from,
        path: `/dag/edges/${k}`,
      });
      return;
    }
    const key = from * ids.length + to;
    const first = firstEdge.get(key);
    if (first !== undefined) {
      report(diagnostics, {
        code: 'duplicate_edge',
        message: `Edge ${edge.from} → ${edge.to} is listed again (first at /dag/edges/${first}); remove the copy`,
        node: edge.to,
        path: `/dag/edges/${k}`,
      });
      return;
    }
    firstEdge.set(key, k);
    for (const end of [from, to]) {
      if (connected[end] === 0) {
        connected[end] = 1;
        connectedCount++;
      }
    }
  });

  const cycle = cycleIn(index);
  if (cycle !== undefined) {
    const names = cycle.map((at) => index.ids[at] as string);
    report(diagnostics, {
      code: 'cycle',
      message: `Nodes ${[...names, names[0]].join(' → ')} form a cycle; remove one of these edges (a workflow must be acyclic)`,
      node: names[0],
      path: '/dag/edges',
    });
  }
  const order = cycle === undefined ? topologicalPositions(index) : undefined;
  const isAncestor = order === undefined ? undefined : ancestryOf(index, order);

  if (connectedCount > 0 && ids.length > 1) {
    for (const [at, id] of ids.entries()) {
      if (connected[at] === 1) continue;
      report(diagnostics, {
        code: 'disconnected_node',
        message: `Node "${id}" has no edges while other nodes are connected; add an edge if it should run before or after another node`,
        node: id,
        path: `/dag/nodes/${escapePointerToken(id)}`,
      });
    }
  }

  checkParameters(definition, diagnostics);
  const declared = definition.input_parameters;
  const usedInputs = new Set<string>();
  const lookup = typedLookupMemo();
  const closest = suggester();

  for (const id of ids) {
    const node = nodes[id] as NodeDefinition;
    const path = `/dag/nodes/${escapePointerToken(id)}`;
    const taskType = catalogue.get(node.task);
    const add: NodeContext['add'] = (code, message, extra = {}) => {
      const diagnostic: Diagnostic = { code, message, node: id };
      if (extra.field !== undefined) diagnostic.field = extra.field;
      if (extra.path !== undefined) diagnostic.path = extra.path;
      report(diagnostics, diagnostic);
    };
    const context: NodeContext = { id, node, path, taskType, catalogue, lookup, closest, add };

    checkTaskAndModel(context);
    if (
      definition.timeout !== undefined &&
      node.timeout !== undefined &&
      node.timeout > definition.timeout
    ) {
      add(
        'timeout_exceeds_run_timeout',
        `Node "${id}" allows ${node.timeout} s per attempt but the whole run times out after ${definition.timeout} s`,
        { path: `${path}/timeout` },
      );
    }

    const { references, problems } = scanReferences(node.inputs);
    for (const { pointer, problem } of problems) {
      const field = fieldName(pointer);
      add(problem.code, `Node "${id}", input "${field}": ${problem.message}`, {
        field,
        path: `${path}/inputs${pointer}`,
      });
    }
    const interpolatedChecked = new Set<string>();
    const locate = pointerInfo(path);
    const here = index.position.get(id) as number;
    const checks: ReferenceChecks = {
      declared,
      usedInputs,
      optionalWarned: new Set<string>(),
      hasNode,
      nodes,
      nodeIds: ids,
      isAncestor:
        isAncestor === undefined
          ? undefined
          : (from) => isAncestor(index.position.get(from) as number, here),
    };
    for (const occurrence of references) {
      const valueTypes = referenceTypes(context, occurrence, locate, checks);
      if (valueTypes === undefined || taskType === undefined) continue;
      const field = lookup(taskType.inputSchema, occurrence.pointer, () =>
        pointerTokens(occurrence.pointer),
      );
      if (!field.found) continue;
      const fieldTypes = field.types;
      if (occurrence.exact) {
        if (!typesOverlap(valueTypes, fieldTypes)) {
          const where = locate(occurrence.pointer);
          add(
            'reference_type_mismatch',
            `Node "${id}", input "${where.field}": ${occurrence.source} is ${describeTypes(valueTypes)}, but the field expects ${describeTypes(fieldTypes)}`,
            where,
          );
        }
      } else if (!interpolatedChecked.has(occurrence.pointer)) {
        interpolatedChecked.add(occurrence.pointer);
        if (!typesOverlap(STRING, fieldTypes)) {
          const where = locate(occurrence.pointer);
          add(
            'reference_type_mismatch',
            `Node "${id}", input "${where.field}": text with references inside is a string, but the field expects ${describeTypes(fieldTypes)}; use a single reference as the whole value`,
            where,
          );
        }
      }
    }

    const referencePointers = new Set([
      ...references.map((reference) => reference.pointer),
      ...problems.map((problem) => problem.pointer),
    ]);
    checkInputs(context, referencePointers);
    checkOutputs(context);
  }

  if (declared !== undefined) {
    for (const name of Object.keys(declared)) {
      if (usedInputs.has(name)) continue;
      report(diagnostics, {
        code: 'unused_input_parameter',
        message: `Input parameter "${name}" is not used by any node; reference it as \${input.${name}} or remove it`,
        field: name,
        path: `/input_parameters/${escapePointerToken(name)}`,
      });
    }
  }
  return diagnostics;
}

/** Where a reference sits: the field as users name it, and its pointer in the definition. */
interface FieldLocation {
  field: string;
  path: string;
}

/** Per node, locates inputs pointers for messages (computed only when something is reported). */
function pointerInfo(nodePath: string): (pointer: string) => FieldLocation {
  const known = new Map<string, FieldLocation>();
  return (pointer) => {
    let location = known.get(pointer);
    if (location === undefined) {
      location = { field: fieldName(pointer), path: `${nodePath}/inputs${pointer}` };
      known.set(pointer, location);
    }
    return location;
  };
}

const STRING: AcceptedTypes = new Set(['string']);

interface ReferenceChecks {
  declared: Record<string, InputParameter> | undefined;
  usedInputs: Set<string>;
  optionalWarned: Set<string>;
  hasNode: (id: string) => boolean;
  nodes: Record<string, NodeDefinition>;
  nodeIds: readonly string[];
  /** Undefined when the graph is cyclic (upstream checks are skipped then). */
  isAncestor: ((from: string) => boolean) | undefined;
}

/** Reports problems with one reference and returns the types it can produce (undefined: unknown). */
function referenceTypes(
  context: NodeContext,
  occurrence: ReferenceOccurrence,
  locate: (pointer: string) => FieldLocation,
  checks: ReferenceChecks,
): AcceptedTypes | undefined {
  const { id, add } = context;
  const { reference, source } = occurrence;
  const location = (): FieldLocation => locate(occurrence.pointer);
  const prefix = (): string => `Node "${id}", input "${location().field}"`;
  if (reference.kind === 'input') {
    checks.usedInputs.add(reference.name);
    if (checks.declared === undefined) return 'any';
    if (!Object.hasOwn(checks.declared, reference.name)) {
      const declaredNames = Object.keys(checks.declared);
      const suggestion = context.closest(reference.name, declaredNames);
      add(
        'undeclared_input',
        `${prefix()}: ${source} names input "${reference.name}", which is not declared in input_parameters` +
          (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
        location(),
      );
      return undefined;
    }
    const parameter = checks.declared[reference.name] as InputParameter;
    if (
      parameter.required !== true &&
      parameter.default === undefined &&
      !checks.optionalWarned.has(reference.name)
    ) {
      checks.optionalWarned.add(reference.name);
      add(
        'optional_input_reference',
        `${prefix()}: input "${reference.name}" is optional and has no default, so this node fails when a run omits it; give it a default or make it required`,
        location(),
      );
    }
    const types = parameterTypes(parameter);
    if (reference.path.length === 0) return types;
    if (types !== 'any' && !types.has('object') && !types.has('array')) {
      add(
        'reference_type_mismatch',
        `${prefix()}: ${source} reads into input "${reference.name}", which is ${describeTypes(types)}`,
        location(),
      );
      return undefined;
    }
    return 'any';
  }
  if (!checks.hasNode(reference.node)) {
    const suggestion = context.closest(reference.node, checks.nodeIds);
    add(
      'unknown_reference_node',
      `${prefix()}: ${source} names node "${reference.node}", which does not exist` +
        (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
      location(),
    );
    return undefined;
  }
  if (reference.node === id) {
    add(
      'reference_not_upstream',
      `${prefix()}: ${source} refers to the node's own result, which does not exist before it runs`,
      location(),
    );
    return undefined;
  }
  if (checks.isAncestor !== undefined && !checks.isAncestor(reference.node)) {
    add(
      'reference_not_upstream',
      `${prefix()}: ${source} uses the result of "${reference.node}", which does not run before "${id}"; add an edge from "${reference.node}" to "${id}"`,
      location(),
    );
  }
  const upstream = context.catalogue.get((checks.nodes[reference.node] as NodeDefinition).task);
  if (upstream === undefined) return undefined;
  // The source is `${nodes.<id>.result<tail>}`; the tail names the path within the result.
  const tail = source.slice('${nodes.'.length + reference.node.length + '.result'.length, -1);
  const lookup = context.lookup(upstream.outputSchema, tail, reference.path);
  if (!lookup.found) {
    const known = formatPath(reference.path.slice(0, lookup.failedAt));
    add(
      'unknown_output_path',
      `${prefix()}: ${source} — the result of ${upstream.name} has no "${formatPath(reference.path.slice(0, lookup.failedAt + 1))}"` +
        (known === '' ? '' : ` (the path is valid up to "${known}")`),
      location(),
    );
    return undefined;
  }
  return lookup.types;
}

/** What {@link checkDefinition} returns: the canonical definition only when there are no errors. */
export interface CheckResult {
  definition?: WorkflowDefinition;
  diagnostics: Diagnostics;
}

/**
 * Normalizes and validates a document in either form. Never throws, for any input. Paths in the
 * diagnostics point into the document as sent (steps form paths for steps documents). The task
 * types are `catalogue`'s (default: the built-in ones).
 */
export function checkDefinition(
  raw: unknown,
  catalogue: TaskCatalogue = BUILT_IN_TASKS,
): CheckResult {
  const normalized = normalizeWithOrigin(raw);
  if (normalized.definition === undefined || normalized.diagnostics.errors.length > 0) {
    truncateDiagnostics(normalized.diagnostics, DEFINITION_LIMITS.maxDiagnosticsPerList);
    return { diagnostics: normalized.diagnostics };
  }
  const found = validateDefinition(normalized.definition, catalogue);
  const diagnostics = normalized.diagnostics;
  const origin = normalized.origin;
  for (const list of [found.errors, found.type_issues, found.warnings]) {
    for (const diagnostic of list) {
      const translated: Diagnostic = { ...diagnostic };
      if (diagnostic.path !== undefined) translated.path = toSourcePath(origin, diagnostic.path);
      if (diagnostic.field === 'model_id' || diagnostic.field === 'task') {
        translated.field = toSourceField(origin, diagnostic.field);
      }
      report(diagnostics, translated);
    }
  }
  truncateDiagnostics(diagnostics, DEFINITION_LIMITS.maxDiagnosticsPerList);
  return diagnostics.errors.length > 0
    ? { diagnostics }
    : { definition: normalized.definition, diagnostics };
}
