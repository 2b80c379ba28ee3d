// Plain lists, no schemas: the console bundles these without the schema library.

/** A run's lifecycle, in order. */
export const RUN_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
] as const;

/** The run statuses after which nothing changes any more. */
export const TERMINAL_RUN_STATUSES = [
  'completed',
  'failed',
  'cancelled',
  'timed_out',
] as const satisfies readonly RunStatus[];

/** A node's lifecycle, in order. */
export const NODE_STATUSES = [
  'pending',
  'queued',
  'running',
  'retrying',
  'completed',
  'failed',
  'skipped',
  'cancelled',
] as const;

/** Why a node that is not running yet waits. */
export const WAITING_REASONS = ['no_worker', 'queue_backlog', 'backoff', 'rate_limited'] as const;

// The API's types of these are the schemas' (runs.ts); these say the same, for this module.
type RunStatus = (typeof RUN_STATUSES)[number];

/** True once a run has ended, whichever way. */
export function isTerminalRunStatus(status: RunStatus): boolean {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/**
 * How task types are grouped: seed 000's categories, then Weft's own step families, then `custom`
 * for the types registered at run time by their workers.
 */
export const TASK_CATEGORIES = [
  'text',
  'image',
  'video',
  'audio',
  'safety',
  'data',
  'integration',
  'control',
  'custom',
] as const;

export type TaskCategory = (typeof TASK_CATEGORIES)[number];
