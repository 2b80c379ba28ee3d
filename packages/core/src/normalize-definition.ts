import { CANONICAL_DEFINITION_SCHEMA, STEPS_DEFINITION_SCHEMA } from './definition-schema';
import type {
  DefinitionForm,
  Edge,
  InputParameter,
  NodeDefinition,
  OnError,
  Region,
  RetryPolicy,
  StepRetryPolicy,
  WorkflowDefinition,
} from './definition-types';
import { emptyDiagnostics, report, type Diagnostic, type Diagnostics } from './diagnostics';
import {
  escapePointerToken,
  isPlainObject,
  jsonByteLength,
  jsonDepth,
  measureJson,
  setOwn,
  toJsonValue,
  unescapePointerToken,
  type JsonValue,
} from './json-value';
import { DEFINITION_LIMITS as L } from './limits';
import { compileSchema, describeSchemaErrors } from './schema-compiler';

/** A normalized definition (absent when there are errors), the form it came in, and findings. */
export interface NormalizeResult {
  definition?: WorkflowDefinition;
  form?: DefinitionForm;
  diagnostics: Diagnostics;
}

/** How canonical paths map back to a steps document, so diagnostics point at what the user wrote. */
export interface DefinitionOrigin {
  form: DefinitionForm;
  stepIndex: ReadonlyMap<string, number>;
  edgeOrigin: readonly { step: number; dependency: number }[];
}

const SHAPE_HINT =
  'A workflow definition is a JSON object: {"name": "...", "dag": {"nodes": {...}, "edges": [...]}} or {"name": "...", "steps": [...]}';

/** Fields shared by both forms, read from a schema-valid document. */
interface Header {
  name: string;
  description?: string;
  region?: Region;
  timeout?: number;
}

interface CanonicalNodeSource {
  task: string;
  model_id?: string;
  inputs?: Record<string, JsonValue>;
  outputs?: string[];
  retry?: RetryPolicy;
  timeout?: number;
  on_error?: OnError;
}

interface CanonicalSource extends Header {
  input_parameters?: Record<string, InputParameter>;
  dag: { nodes: Record<string, CanonicalNodeSource>; edges?: Edge[] };
}

interface StepSource {
  id: string;
  type: string;
  model?: string;
  input?: Record<string, JsonValue>;
  dependsOn?: string[];
  outputs?: string[];
  retry?: StepRetryPolicy;
  timeout?: number;
  onError?: OnError;
}

interface StepsSource extends Header {
  inputParameters?: Record<string, InputParameter>;
  steps: StepSource[];
}

function schemaDiagnostic(path: string, message: string): Diagnostic {
  return { code: 'schema', message, path };
}

function located(path: string, message: string): string {
  return path === '' ? `The definition ${message}` : `At ${path}: ${message}`;
}

function nodeOf(path: string, form: DefinitionForm, raw: unknown): string | undefined {
  const tokens = path.split('/');
  if (form === 'dag' && tokens[1] === 'dag' && tokens[2] === 'nodes' && tokens[3] !== undefined) {
    return unescapePointerToken(tokens[3]);
  }
  if (form === 'steps' && tokens[1] === 'steps' && tokens[2] !== undefined && isPlainObject(raw)) {
    const steps = raw.steps;
    const step: unknown = Array.isArray(steps) ? steps[Number(tokens[2])] : undefined;
    if (isPlainObject(step) && typeof step.id === 'string') return step.id;
  }
  return undefined;
}

function headerOf(source: Header): Header {
  const header: Header = { name: source.name };
  if (source.description !== undefined) header.description = source.description;
  if (source.region !== undefined) header.region = source.region;
  if (source.timeout !== undefined) header.timeout = source.timeout;
  return header;
}

function copyParameters(
  parameters: Record<string, InputParameter>,
): Record<string, InputParameter> {
  const out: Record<string, InputParameter> = {};
  for (const name of Object.keys(parameters)) setOwn(out, name, { ...parameters[name] });
  return out;
}

function buildNode(source: CanonicalNodeSource): NodeDefinition {
  const node: NodeDefinition = { task: source.task, inputs: source.inputs ?? {} };
  if (source.model_id !== undefined) node.model_id = source.model_id;
  if (source.outputs !== undefined) node.outputs = [...source.outputs];
  if (source.retry !== undefined) node.retry = { ...source.retry };
  if (source.timeout !== undefined) node.timeout = source.timeout;
  if (source.on_error !== undefined) node.on_error = source.on_error;
  return node;
}

function retryFromSteps(retry: StepRetryPolicy): RetryPolicy {
  const out: RetryPolicy = {};
  if (retry.maxAttempts !== undefined) out.max_attempts = retry.maxAttempts;
  if (retry.initialDelayMs !== undefined) out.initial_delay_ms = retry.initialDelayMs;
  if (retry.backoffCoefficient !== undefined) out.backoff_coefficient = retry.backoffCoefficient;
  if (retry.maxDelayMs !== undefined) out.max_delay_ms = retry.maxDelayMs;
  if (retry.nonRetryableErrors !== undefined)
    out.non_retryable_errors = [...retry.nonRetryableErrors];
  if (retry.jitter !== undefined) out.jitter = retry.jitter;
  return out;
}

function fromCanonical(source: CanonicalSource): WorkflowDefinition {
  const nodes: Record<string, NodeDefinition> = {};
  for (const id of Object.keys(source.dag.nodes)) {
    setOwn(nodes, id, buildNode(source.dag.nodes[id] as CanonicalNodeSource));
  }
  const edges = (source.dag.edges ?? []).map((edge) => ({ from: edge.from, to: edge.to }));
  return assemble(source, source.input_parameters, { nodes, edges });
}

function fromSteps(
  source: StepsSource,
  diagnostics: Diagnostics,
): { definition: WorkflowDefinition; origin: DefinitionOrigin } {
  const nodes: Record<string, NodeDefinition> = {};
  const edges: Edge[] = [];
  const stepIndex = new Map<string, number>();
  const edgeOrigin: { step: number; dependency: number }[] = [];
  source.steps.forEach((step, i) => {
    if (stepIndex.has(step.id)) {
      report(diagnostics, {
        code: 'duplicate_node_id',
        message: `Step ${i} has id "${step.id}", already used by step ${String(stepIndex.get(step.id))}; step ids must be unique`,
        node: step.id,
        path: `/steps/${i}/id`,
      });
      return;
    }
    stepIndex.set(step.id, i);
    const node: CanonicalNodeSource = { task: step.type };
    if (step.model !== undefined) node.model_id = step.model;
    if (step.input !== undefined) node.inputs = step.input;
    if (step.outputs !== undefined) node.outputs = step.outputs;
    if (step.retry !== undefined) node.retry = retryFromSteps(step.retry);
    if (step.timeout !== undefined) node.timeout = step.timeout;
    if (step.onError !== undefined) node.on_error = step.onError;
    setOwn(nodes, step.id, buildNode(node));
    (step.dependsOn ?? []).forEach((dependency, j) => {
      edges.push({ from: dependency, to: step.id });
      edgeOrigin.push({ step: i, dependency: j });
    });
  });
  if (edges.length > L.maxEdges) {
    report(
      diagnostics,
      schemaDiagnostic(
        '/steps',
        `The steps declare ${edges.length} dependencies in total; the limit is ${L.maxEdges}`,
      ),
    );
  }
  return {
    definition: assemble(source, source.inputParameters, { nodes, edges }),
    origin: { form: 'steps', stepIndex, edgeOrigin },
  };
}

/** Builds the definition with its keys in one order, so both forms serialize alike. */
function assemble(
  header: Header,
  parameters: Record<string, InputParameter> | undefined,
  dag: WorkflowDefinition['dag'],
): WorkflowDefinition {
  return {
    ...headerOf(header),
    ...(parameters === undefined ? {} : { input_parameters: copyParameters(parameters) }),
    dag,
  };
}

const STEP_FIELD: Record<string, string> = {
  task: 'type',
  model_id: 'model',
  inputs: 'input',
  on_error: 'onError',
};
const STEP_RETRY_FIELD: Record<string, string> = {
  max_attempts: 'maxAttempts',
  initial_delay_ms: 'initialDelayMs',
  backoff_coefficient: 'backoffCoefficient',
  max_delay_ms: 'maxDelayMs',
  non_retryable_errors: 'nonRetryableErrors',
};

/** Maps a JSON pointer into the canonical definition back to the document the user sent. */
export function toSourcePath(origin: DefinitionOrigin | undefined, path: string): string {
  if (origin === undefined || origin.form === 'dag' || path === '') return path;
  const tokens = path.split('/').slice(1).map(unescapePointerToken);
  const rebuild = (parts: readonly (string | number)[]): string =>
    parts.map((part) => `/${escapePointerToken(String(part))}`).join('');
  if (tokens[0] === 'input_parameters') return rebuild(['inputParameters', ...tokens.slice(1)]);
  if (tokens[0] !== 'dag') return path;
  if (tokens[1] === 'nodes') {
    if (tokens[2] === undefined) return '/steps';
    const step = origin.stepIndex.get(tokens[2]);
    if (step === undefined) return path;
    const rest = tokens.slice(3);
    if (rest[0] !== undefined) {
      if (rest[0] === 'retry' && rest[1] !== undefined)
        rest[1] = STEP_RETRY_FIELD[rest[1]] ?? rest[1];
      rest[0] = STEP_FIELD[rest[0]] ?? rest[0];
    }
    return rebuild(['steps', step, ...rest]);
  }
  if (tokens[1] === 'edges') {
    const edge = tokens[2] === undefined ? undefined : origin.edgeOrigin[Number(tokens[2])];
    if (edge === undefined) return '/steps';
    return tokens[3] === 'to'
      ? rebuild(['steps', edge.step, 'id'])
      : rebuild(['steps', edge.step, 'dependsOn', edge.dependency]);
  }
  return path;
}

/** Maps a canonical field name (`model_id`, `task`) to the name the user's form uses. */
export function toSourceField(origin: DefinitionOrigin | undefined, field: string): string {
  return origin?.form === 'steps' ? (STEP_FIELD[field] ?? field) : field;
}

function checkNodeLimits(definition: WorkflowDefinition, diagnostics: Diagnostics): void {
  for (const id of Object.keys(definition.dag.nodes)) {
    const inputs = (definition.dag.nodes[id] as NodeDefinition).inputs;
    const path = `/dag/nodes/${escapePointerToken(id)}/inputs`;
    const measured = measureJson(inputs);
    const bytes = measured.maxBytes > L.maxNodeInputBytes ? jsonByteLength(inputs) : 0;
    if (bytes > L.maxNodeInputBytes) {
      report(diagnostics, {
        ...schemaDiagnostic(
          path,
          `The inputs of node "${id}" take ${bytes} bytes of JSON; the limit is ${L.maxNodeInputBytes}`,
        ),
        node: id,
      });
    }
    if (measured.depth > L.maxInputDepth) {
      report(diagnostics, {
        ...schemaDiagnostic(
          path,
          `The inputs of node "${id}" are nested ${measured.depth} levels deep; the limit is ${L.maxInputDepth}`,
        ),
        node: id,
      });
    }
  }
  for (const name of Object.keys(definition.input_parameters ?? {})) {
    const parameter = definition.input_parameters?.[name];
    for (const [key, value] of [
      ['default', parameter?.default],
      ['enum', parameter?.enum],
    ] as const) {
      if (value !== undefined && jsonDepth(value) > L.maxInputDepth) {
        report(
          diagnostics,
          schemaDiagnostic(
            `/input_parameters/${escapePointerToken(name)}/${key}`,
            `is nested deeper than ${L.maxInputDepth} levels`,
          ),
        );
      }
    }
  }
}

/**
 * Normalization with the origin needed to map diagnostics back to the user's document; see
 * {@link normalizeDefinition}.
 */
export function normalizeWithOrigin(raw: unknown): NormalizeResult & { origin?: DefinitionOrigin } {
  const diagnostics = emptyDiagnostics();
  const copy = toJsonValue(raw, {
    maxDepth: L.maxInputDepth + 8,
    maxBytes: L.maxDefinitionBytes,
    maxStringLength: L.maxStringLength,
    maxKeyLength: L.maxKeyLength,
  });
  if (!copy.ok) {
    report(diagnostics, schemaDiagnostic(copy.path, located(copy.path, copy.message)));
    return { diagnostics };
  }
  const document = copy.value;
  if (!isPlainObject(document)) {
    report(
      diagnostics,
      schemaDiagnostic(
        '',
        `${SHAPE_HINT}; got ${Array.isArray(document) ? 'an array' : document === null ? 'null' : typeof document}`,
      ),
    );
    return { diagnostics };
  }
  const has = (key: string): boolean => Object.hasOwn(document, key);
  if (!has('dag') && !has('steps') && has('nodes')) {
    report(
      diagnostics,
      schemaDiagnostic(
        '',
        `This looks like a bare DAG; wrap it with a name: {"name": "...", "dag": {"nodes": ..., "edges": ...}}`,
      ),
    );
    return { diagnostics };
  }
  const form: DefinitionForm = has('steps') && !has('dag') ? 'steps' : 'dag';
  const validate = compileSchema(
    form === 'steps' ? STEPS_DEFINITION_SCHEMA : CANONICAL_DEFINITION_SCHEMA,
  );
  if (!validate(document)) {
    const problems = describeSchemaErrors(validate.errors ?? []);
    for (const problem of problems.slice(0, L.maxSchemaDiagnostics)) {
      const node = nodeOf(problem.path, form, document);
      report(diagnostics, {
        ...schemaDiagnostic(problem.path, located(problem.path, problem.message)),
        ...(node === undefined ? {} : { node }),
      });
    }
    if (problems.length > L.maxSchemaDiagnostics) {
      report(
        diagnostics,
        schemaDiagnostic(
          '',
          `...and ${problems.length - L.maxSchemaDiagnostics} more schema problems`,
        ),
      );
    }
    return { form, diagnostics };
  }
  let definition: WorkflowDefinition;
  let origin: DefinitionOrigin;
  if (form === 'steps') {
    ({ definition, origin } = fromSteps(document as unknown as StepsSource, diagnostics));
  } else {
    definition = fromCanonical(document as unknown as CanonicalSource);
    origin = { form, stepIndex: new Map(), edgeOrigin: [] };
  }
  const limits = emptyDiagnostics();
  checkNodeLimits(definition, limits);
  for (const diagnostic of limits.errors) {
    report(diagnostics, { ...diagnostic, path: toSourcePath(origin, diagnostic.path ?? '') });
  }
  if (diagnostics.errors.length > 0) return { form, origin, diagnostics };
  return { definition, form, origin, diagnostics };
}

/**
 * Turns a document in either accepted form (canonical DAG, or steps with dependsOn) into the
 * canonical definition. Never throws: anything that is not a valid document becomes `schema`
 * (or `duplicate_node_id`) errors located by JSON pointer into the document as sent.
 */
export function normalizeDefinition(raw: unknown): NormalizeResult {
  const { definition, form, diagnostics } = normalizeWithOrigin(raw);
  return {
    ...(definition === undefined ? {} : { definition }),
    ...(form === undefined ? {} : { form }),
    diagnostics,
  };
}
