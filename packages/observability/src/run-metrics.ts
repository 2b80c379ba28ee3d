import { BoundedLabel, DEFAULT_MAX_LABEL_VALUES } from './metrics-access';
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

/**
 * A run-engine observer counting runs started and finished. Slugs are the apps' own names, so only
 * the first `maxWorkflows` get series of their own (see {@link BoundedLabel}).
 */
export function runMetricsObserver(
  metrics: WeftMetrics,
  maxWorkflows: number = DEFAULT_MAX_LABEL_VALUES,
): {
  started(run: CountedRun): void;
  finished(run: CountedRun): void;
} {
  const workflows = new BoundedLabel(maxWorkflows);
  const label = (run: CountedRun) => workflows.of(workflowLabel(run));
  return {
    started: (run) => metrics.runsStarted.inc({ workflow: label(run) }),
    finished: (run) => metrics.runsFinished.inc({ workflow: label(run), status: run.status }),
  };
}
