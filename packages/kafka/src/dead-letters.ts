import { deadLetter, DEAD_LETTERS_TOPIC } from '@weft/core';
import type { ConsumedMessage, KafkaProducer } from './client';

/** What dead-lettering logs to: any logger with a `warn` (Weft's, from @weft/observability). */
export interface WarningLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Sends a message no consumer can handle to `weft.dead-letters`, with why (`code`, `reason`) and
 * who (`by`), and logs it, so that one bad message never stops its partition.
 */
export async function sendToDeadLetters(
  producer: KafkaProducer | undefined,
  message: ConsumedMessage,
  problem: { code: string; reason: string; by: string },
  log: WarningLog,
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
