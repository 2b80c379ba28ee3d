import { engineTopics, isStepTopic, RUN_EVENTS_TOPIC, STEP_RESULTS_TOPIC } from './topics';

// Offsets are kept by group name: renaming a group makes its consumers start over.

/** The orchestrators' group on step results. */
export const ORCHESTRATOR_GROUP = 'weft.orchestrator';
/** The webhook dispatchers' group on run events. */
export const WEBHOOKS_GROUP = 'weft.webhooks';

/**
 * The group of the pool serving one step topic: a group per topic, so a pool serving other types
 * never takes its partitions.
 */
export function workerGroup(stepTopic: string): string {
  return `weft.worker.${stepTopic}`;
}

/**
 * One worker process's own group on run events, so that every worker hears every event;
 * `instance` (unique per start) keeps a restarted process from resuming an old offset.
 */
export function workerControlGroup(workerId: string, instance: string): string {
  return `weft.worker-control.${workerId}.${instance}`;
}

/**
 * The groups whose lag says work is waiting, each with the topic it consumes: the orchestrators',
 * the webhook dispatchers' and every step topic's pool (of `tasks`, default: every task type).
 */
export function engineConsumerGroups(
  tasks?: readonly string[],
): { group: string; topic: string }[] {
  return [
    { group: ORCHESTRATOR_GROUP, topic: STEP_RESULTS_TOPIC },
    { group: WEBHOOKS_GROUP, topic: RUN_EVENTS_TOPIC },
    ...engineTopics({}, tasks)
      .filter(({ topic }) => isStepTopic(topic))
      .map(({ topic }) => ({ group: workerGroup(topic), topic })),
  ];
}

/**
 * One process's own group on the task types' registry, which it reads whole from the beginning;
 * `instance` (unique per start) keeps it from resuming where another reader stopped.
 */
export function taskRegistryGroup(instance: string): string {
  return `weft.task-registry.${instance}`;
}
