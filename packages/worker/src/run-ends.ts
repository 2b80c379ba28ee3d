import type { RunEventEnvelope } from '@weft/core';

/** What a run-ended event needs to know of a step in this worker. */
export interface StepOfRun {
  runId: string;
  /** When its `step.execute` message was made (ISO 8601). */
  createdAt: string;
}

/**
 * Whether `event` (a run's end) ends `step`: the step belongs to that run, and its message was
 * made before the run ended. Run events can reach a worker late; by then a resumed run may have
 * sent new steps, which an old end must not abort (they would fail as `run_ended`, and fail the
 * resumed run with them).
 */
export function runEndEnds(event: RunEventEnvelope, step: StepOfRun): boolean {
  return step.runId === event.runId && Date.parse(step.createdAt) <= Date.parse(event.createdAt);
}
