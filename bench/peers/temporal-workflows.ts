// The workflow Temporal's worker bundles (with webpack, from this file alone): one run of a
// workload, its steps as activities. Workflow code must stay deterministic and import nothing but
// @temporalio/workflow and types.
import { proxyActivities } from '@temporalio/workflow';

/** When an activity began and ended, by the worker's clock (ms since the epoch). */
export interface StepTiming {
  startedAt: number;
  finishedAt: number;
}

/** The activities a run calls. */
export interface BenchActivities {
  /** Sleeps `ms` (0: returns at once) and says when it ran. */
  step(ms: number): Promise<StepTiming>;
}

/** What a run executes: the shape of report-shape.ts's Workload. */
export interface RunInput {
  shape: 'chain' | 'fan';
  size: number;
  ms: number;
}

const { step } = proxyActivities<BenchActivities>({ startToCloseTimeout: '1 minute' });

/** One run; returns every step's times, a chain's in chain order. */
export async function benchRun(input: RunInput): Promise<StepTiming[]> {
  if (input.shape === 'chain') {
    const times: StepTiming[] = [];
    for (let i = 0; i < input.size; i++) times.push(await step(input.ms));
    return times;
  }
  const first = await step(input.ms);
  const middle = await Promise.all(Array.from({ length: input.size }, () => step(input.ms)));
  return [first, ...middle, await step(input.ms)];
}
