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

/**
 * Runs one attempt of one task type. Inputs were checked against the type's input schema first;
 * the returned value must fit its output schema. Throw a StepFailure to say how it failed.
 */
export type StepHandler = (
  inputs: Record<string, unknown>,
  context: StepContext,
) => Promise<unknown>;
