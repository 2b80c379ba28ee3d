import type { WeftMetrics } from './metrics';

/** What run metrics read of a run. */
interface CountedRun {
  status: string;
  workflow: { slug?: string; ephemeral: boolean };
}

/**
 * The workflow label: a saved workflow's slug; inline plans share one label, since their names are
 * anyone's free text and would make the series unbounded.
 */
export function workflowLabel(run: CountedRun): string {
  return run.workflow.ephemeral ? '(plan)' : (run.workflow.slug ?? '(unknown)');
}

/** A run-store observer counting runs started and finished. */
export function runMetricsObserver(metrics: WeftMetrics): {
  started(run: CountedRun): void;
  finished(run: CountedRun): void;
} {
  return {
    started: (run) => metrics.runsStarted.inc({ workflow: workflowLabel(run) }),
    finished: (run) =>
      metrics.runsFinished.inc({ workflow: workflowLabel(run), status: run.status }),
  };
}
