import { TASK_TYPES_TOPIC } from '@weft/core';
import type { TopicSpec } from '@weft/kafka';

/**
 * The registry's topic: one partition, so every record is read in the order it was written;
 * compacted, so it keeps the latest record of each name (and, for a while, a removal's tombstone)
 * however long the deployment lives.
 */
export const REGISTRY_TOPIC: TopicSpec = Object.freeze({
  topic: TASK_TYPES_TOPIC,
  partitions: 1,
  config: Object.freeze({ 'cleanup.policy': 'compact' }),
});
