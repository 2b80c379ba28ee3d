import { customTaskTypeNameProblem, TASK_TYPES_TOPIC } from '@weft/core';
import { ensureTopics, type KafkaClient } from '@weft/kafka';
import { removalRecord } from './registry-record';
import { REGISTRY_TOPIC } from './registry-topic';

/**
 * Removes the registered task type `name`: writes its tombstone to the registry, and resolves once
 * the broker has it. Every registry following the topic drops it; workflows naming it are then
 * refused. Its step topics, and steps already queued there, stay. Removing a name that is not
 * registered writes a tombstone all the same, which changes nothing; a name no registered type
 * could have (a built-in one, a reserved namespace) throws.
 */
export async function removeTaskType(kafka: KafkaClient, name: string): Promise<void> {
  const problem = customTaskTypeNameProblem(name);
  if (problem !== undefined) throw new Error(`Cannot remove task type: ${problem}`);
  await ensureTopics(kafka, [REGISTRY_TOPIC]);
  const producer = await kafka.producer();
  try {
    await producer.send(TASK_TYPES_TOPIC, [removalRecord(name)]);
  } finally {
    await producer.disconnect();
  }
}
