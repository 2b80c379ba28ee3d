import { deadLetter, DEAD_LETTERS_TOPIC } from '@weft/core';
import type { ConsumedMessage, KafkaProducer } from '@weft/kafka';
import type { Logger } from '@weft/observability';

/**
 * Sends a message no consumer can handle to `weft.dead-letters`, with why (`code`, `reason`) and
 * who (`by`), and logs it, so that one bad message never stops its partition.
 */
export async function sendToDeadLetters(
  producer: KafkaProducer | undefined,
  message: ConsumedMessage,
  problem: { code: string; reason: string; by: string },
  log: Logger,
): Promise<void> {
  const { code, reason, by } = problem;
  log.warn('dead-lettering a message', {
    topic: message.topic,
    offset: message.offset,
    code,
    reason,
  });
  const record = deadLetter(message, { code, reason }, by, Date.now());
  await producer?.send(DEAD_LETTERS_TOPIC, [
    { key: message.key ?? 'unknown', value: JSON.stringify(record) },
  ]);
}
