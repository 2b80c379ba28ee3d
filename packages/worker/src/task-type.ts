// A task type as a worker runs it: its schemas and its handler.

import { compileSchema, describeSchemaErrors, type JsonSchema, type RetryPolicy } from '@weft/core';
import type { ArtifactFile } from '@weft/client';
import type { Logger } from '@weft/observability';

/** What a handler knows about the attempt it runs. */
export interface StepContext {
  runId: string;
  nodeId: string;
  /** 1-based. */
  attempt: number;
  appId: string;
  /** `runId:nodeId:attempt`: send it to providers so a repeated delivery is not a repeated effect. */
  idempotencyKey: string;
  model_id?: string;
  /** Aborted at the attempt's deadline, when the run is cancelled, or when the worker stops. */
  signal: AbortSignal;
}

/** What a handler of a user's task type gets besides its inputs. */
export interface TaskContext extends StepContext {
  /** Lines carry the run, node and attempt. */
  log: Logger;
  /**
   * Says the handler is still making progress. A task type with a `heartbeatTimeout` fails an
   * attempt whose handler goes that long without calling it (it hangs, though its process lives).
   */
  heartbeat: () => void;
  /**
   * Stores bytes through the gateway (the worker needs `gatewayUrl` and a credential), as an
   * artifact of the run's app; return its `url` (or the whole answer, the file shape media steps
   * return) in the output. A step's output must fit one Kafka message; larger outputs go here.
   */
  storeArtifact: (body: Uint8Array, options: { contentType: string }) => Promise<ArtifactFile>;
}

/**
 * Runs one attempt of one task type. Inputs were checked against the type's input schema first;
 * the returned value must fit its output schema. Throw a StepFailure (or a NonRetriableError) to
 * say how it failed; any other throw is a retryable `step_error`.
 */
export type StepHandler = (
  inputs: Record<string, unknown>,
  context: StepContext,
) => Promise<unknown>;

/** A user's handler: the same, with the richer context and the types its schemas describe. */
export type TaskHandler<Inputs = Record<string, unknown>, Output = unknown> = (
  inputs: Inputs,
  context: TaskContext,
) => Promise<Output>;

/** What `defineTaskType` takes. */
export interface TaskTypeDefinition<Inputs = Record<string, unknown>, Output = unknown> {
  /** `namespace/name`, lower case (`acme/resize`); Weft's own namespaces are reserved. */
  name: string;
  /** Raise it to change the schemas incompatibly. Default: 1. */
  version?: number;
  description: string;
  /** JSON Schema of a node's inputs once its references are resolved. */
  inputSchema: JsonSchema;
  /** JSON Schema of the output: what `${nodes.<id>.result…}` references read. */
  outputSchema: JsonSchema;
  handler: TaskHandler<Inputs, Output>;
  /** The retry policy of its nodes that set none. Default: the engine's. */
  retry?: RetryPolicy;
  /** The step timeout of its nodes that set none, in seconds. Default: none. */
  timeout?: number;
  /** Seconds a handler may go without `heartbeat()` before its attempt fails. Default: none. */
  heartbeatTimeout?: number;
}

/** A task type ready to be served: its definition, checked, with its schemas compiled. */
export interface TaskType {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema: JsonSchema;
  readonly handler: TaskHandler<never, unknown>;
  readonly retry?: RetryPolicy;
  readonly timeout?: number;
  readonly heartbeatTimeout?: number;
  /** The compiled schemas, checked around every attempt. */
  readonly validate: { input: SchemaCheck; output: SchemaCheck };
}

/** A compiled schema: undefined when `value` fits, else what is wrong with it. */
export type SchemaCheck = (value: unknown) => string | undefined;

/** A task type definition that cannot be served: its name and what is wrong. */
export class TaskTypeDefinitionError extends Error {
  override name = 'TaskTypeDefinitionError';
}

/**
 * Checks a task type's definition and compiles its schemas, so that a mistake stops the worker at
 * start with a clear message instead of failing its first step. Registration (when the worker
 * starts) checks its name and its schemas against what the cluster already knows.
 */
export function defineTaskType<Inputs = Record<string, unknown>, Output = unknown>(
  definition: TaskTypeDefinition<Inputs, Output>,
): TaskType {
  const { name } = definition;
  const problem = (what: string) => new TaskTypeDefinitionError(`task type "${name}": ${what}`);
  if (typeof definition.handler !== 'function') throw problem('handler must be a function');
  const version = definition.version ?? 1;
  if (!Number.isInteger(version) || version < 1) throw problem('version must be an integer ≥ 1');
  for (const field of ['timeout', 'heartbeatTimeout'] as const) {
    const seconds = definition[field];
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
      throw problem(`${field} must be a positive number of seconds`);
    }
  }
  return Object.freeze({
    ...definition,
    version,
    handler: definition.handler,
    validate: {
      input: schemaCheck(definition.inputSchema, () => problem('inputSchema is not a JSON Schema')),
      output: schemaCheck(definition.outputSchema, () =>
        problem('outputSchema is not a JSON Schema'),
      ),
    },
  });
}

/** Compiles `schema` once; `invalid` says what to throw when it is no schema. */
export function schemaCheck(schema: JsonSchema, invalid: () => Error): SchemaCheck {
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(schema);
  } catch (error) {
    const thrown = invalid();
    thrown.message += `: ${(error as Error).message}`;
    throw thrown;
  }
  return (value) => {
    if (validate(value)) return undefined;
    const [first] = describeSchemaErrors(validate.errors ?? []);
    return first ? `${first.path || '/'} ${first.message}` : 'is invalid';
  };
}
