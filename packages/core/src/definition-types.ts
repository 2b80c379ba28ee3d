import type { JsonValue } from './json-value';

/** Where a run's jobs execute. Default: `global`. */
export const REGIONS = ['global', 'us', 'eu'] as const;
export type Region = (typeof REGIONS)[number];

/** What a node's failure does: `fail` (default) fails the run; `continue` skips its dependents only. */
export type OnError = 'fail' | 'continue';

/** Declared type of an input parameter. An absent type (or an inferred parameter) accepts any JSON value. */
export type ParameterType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** A value a run supplies, declared in the definition's settings and used as `${input.<name>}`. */
export interface InputParameter {
  /** Absent: any JSON value. */
  type?: ParameterType;
  /** Default: false. A required parameter with a default is satisfied by the default. */
  required?: boolean;
  /** Used when the run omits the parameter. */
  default?: JsonValue;
  /** Shown to whoever runs the workflow. */
  description?: string;
  /** When present, the value must equal one of these. */
  enum?: JsonValue[];
}

/** When and how often a failed attempt is retried (canonical, snake_case); see backoff.ts for defaults. */
export interface RetryPolicy {
  /** Attempts in total, the first included. Default: 3. */
  max_attempts?: number;
  /** Delay before the second attempt, ms. Default: 1000. */
  initial_delay_ms?: number;
  /** Each further delay is the previous one times this. Default: 2. */
  backoff_coefficient?: number;
  /** No delay exceeds this, ms. Default: 60000. */
  max_delay_ms?: number;
  /** Error codes that fail the node at once, without retrying. Default: none. */
  non_retryable_errors?: string[];
  /** `equal` (default) keeps at least half the delay; `full` spreads it over [0, delay). */
  jitter?: 'full' | 'equal';
}

/** One node of the DAG: a task with its inputs. */
export interface NodeDefinition {
  /** Task type name, e.g. `openai/chat-completion` or `image_generate`. */
  task: string;
  /** Model to run the task with; required when the task type needs one. */
  model_id?: string;
  /** Task inputs; strings may contain `${...}` references. Default: `{}`. */
  inputs: Record<string, JsonValue>;
  /** Output paths the author cares about, e.g. `choices[0].message.content`. */
  outputs?: string[];
  /** Retry policy for failed attempts. Default: see DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
  /** Per-attempt step timeout, seconds. Default: none (the run timeout still applies). */
  timeout?: number;
  /** Default: `fail`. */
  on_error?: OnError;
}

/** `from` must complete before `to` starts. */
export interface Edge {
  from: string;
  to: string;
}

/** The graph: nodes keyed by id, plus edges. */
export interface Dag {
  nodes: Record<string, NodeDefinition>;
  edges: Edge[];
}

/**
 * The canonical workflow definition (the DAG form users see in the editor's JSON tab). Every
 * accepted document, in either form, is normalized to this. Treat it as immutable: graph
 * functions cache an index per definition object.
 */
export interface WorkflowDefinition {
  name: string;
  description?: string;
  /** Default: `global`. */
  region?: Region;
  /** Run timeout, seconds. Default: none. */
  timeout?: number;
  /** Declared parameters. Absent: inferred from `${input.*}` references (each required, any type). */
  input_parameters?: Record<string, InputParameter>;
  dag: Dag;
}

/** Retry policy in the steps form (camelCase); same meaning and defaults as {@link RetryPolicy}. */
export interface StepRetryPolicy {
  maxAttempts?: number;
  initialDelayMs?: number;
  backoffCoefficient?: number;
  maxDelayMs?: number;
  nonRetryableErrors?: string[];
  jitter?: 'full' | 'equal';
}

/** One step of the steps form: a node plus the ids it depends on. */
export interface StepDefinition {
  id: string;
  /** Task type; becomes `task`. */
  type: string;
  /** Becomes `model_id`. */
  model?: string;
  /** Becomes `inputs`. */
  input?: Record<string, JsonValue>;
  /** Each entry becomes an edge from that step to this one. */
  dependsOn?: string[];
  outputs?: string[];
  retry?: StepRetryPolicy;
  timeout?: number;
  onError?: OnError;
}

/** The steps form of a workflow (camelCase), normalized to {@link WorkflowDefinition} on the way in. */
export interface StepsDefinition {
  name: string;
  description?: string;
  region?: Region;
  timeout?: number;
  inputParameters?: Record<string, InputParameter>;
  steps: StepDefinition[];
}

/** Which of the two accepted document forms a definition arrived in. */
export type DefinitionForm = 'dag' | 'steps';

/** The region a run executes in, applying the default. */
export function regionOf(definition: WorkflowDefinition): Region {
  return definition.region ?? 'global';
}

/** A node's failure policy, applying the default (`fail`). */
export function onErrorOf(node: NodeDefinition): OnError {
  return node.on_error ?? 'fail';
}
