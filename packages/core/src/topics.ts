import { REGIONS, type Region } from './definition-types';
import { listTaskTypes } from './task-types';

/** Step results from every worker, keyed by runId, consumed by the orchestrators. */
export const STEP_RESULTS_TOPIC = 'weft.step-results';
/** Run transitions (terminal ones at least), for webhooks, live status and workers' cancellation. */
export const RUN_EVENTS_TOPIC = 'weft.run-events';
/**
 * The orchestrators' answers to workers' claims on attempts (`step.lease`), keyed by runId; every
 * worker process reads all of it and keeps the answers addressed to it.
 */
export const STEP_LEASES_TOPIC = 'weft.step-leases';
/** Messages no consumer could handle, kept for operators. */
export const DEAD_LETTERS_TOPIC = 'weft.dead-letters';
/**
 * The task types registered at run time, keyed by name (compacted: the latest of each name is
 * kept, a null value removes it); see @weft/task-registry.
 */
export const TASK_TYPES_TOPIC = 'weft.task-types';

const STEP_TOPIC_PREFIX = 'weft.steps.';

/** Whether `topic` is a step topic (of any task and region). */
export function isStepTopic(topic: string): boolean {
  return topic.startsWith(STEP_TOPIC_PREFIX);
}

/**
 * The topic a step of `task` is published to. A `/` in a task name becomes `.` (Kafka topic names
 * allow letters, digits, `.`, `_` and `-`); a workflow pinned to a region gets the region suffix,
 * so that only workers started in that region consume it.
 */
export function stepTopic(task: string, region: Region = 'global'): string {
  const base = `${STEP_TOPIC_PREFIX}${task.replaceAll('/', '.')}`;
  return region === 'global' ? base : `${base}.${region}`;
}

/**
 * The topics a worker serving `tasks` in `region` consumes: the region's own topics and the global
 * ones, since a step of a `global` workflow may run anywhere.
 */
export function workerTopics(tasks: readonly string[], region: Region = 'global'): string[] {
  return tasks.flatMap((task) =>
    region === 'global' ? [stepTopic(task)] : [stepTopic(task, region), stepTopic(task)],
  );
}

/** Partitions of the engine's topics: each step topic's, and step results' and run events'. */
export interface TopicPartitionCounts {
  /** The ceiling of one worker pool's parallelism across processes. Default: 8. */
  steps: number;
  /** Step results', run events' and step leases'. Default: 8. */
  results: number;
}

/**
 * Every topic the engine uses, with its partition count: services ensure them at start. Step
 * topics are made for every region of `tasks` (default: every known task type).
 */
export function engineTopics(
  partitions: Partial<TopicPartitionCounts> = {},
  tasks: readonly string[] = listTaskTypes().map((type) => type.name),
): { topic: string; partitions: number }[] {
  const stepPartitions = partitions.steps ?? 8;
  const resultPartitions = partitions.results ?? 8;
  return [
    ...tasks.flatMap((task) =>
      REGIONS.map((region) => ({ topic: stepTopic(task, region), partitions: stepPartitions })),
    ),
    { topic: STEP_RESULTS_TOPIC, partitions: resultPartitions },
    { topic: RUN_EVENTS_TOPIC, partitions: resultPartitions },
    { topic: STEP_LEASES_TOPIC, partitions: resultPartitions },
    { topic: DEAD_LETTERS_TOPIC, partitions: 1 },
  ];
}
