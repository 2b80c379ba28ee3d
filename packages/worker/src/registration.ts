// Announcing a worker's task types, so that the gateway validates workflows against them.

import type { TopicPartitionCounts } from '@weft/core';
import type { KafkaClient } from '@weft/kafka';
import type { Logger } from '@weft/observability';
import { registerTaskTypes as register } from '@weft/task-registry';
import type { TaskType } from './task-type';

/**
 * Registers `taskTypes` on the cluster's registry (`weft.task-types`) and creates their step
 * topics. Refused with a TaskTypeConflictError (the worker does not start) for a reserved or
 * malformed name, a schema that is no JSON Schema, or a schema changed incompatibly under the
 * same version.
 */
export async function registerTaskTypes(
  kafka: KafkaClient,
  taskTypes: readonly TaskType[],
  partitions: Partial<TopicPartitionCounts>,
  log: Logger,
): Promise<void> {
  const outcomes = await register(
    kafka,
    taskTypes.map((type) => ({
      name: type.name,
      version: type.version,
      description: type.description,
      inputSchema: type.inputSchema,
      outputSchema: type.outputSchema,
      ...(type.retry ? { retry: type.retry } : {}),
      ...(type.timeout !== undefined ? { timeout: type.timeout } : {}),
    })),
    partitions.steps === undefined ? {} : { stepPartitions: partitions.steps },
  );
  log.info('task types registered', {
    taskTypes: outcomes.map(({ name, version, outcome }) => `${name}@${version} ${outcome}`),
  });
}
