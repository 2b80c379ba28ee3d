import type { KafkaClient } from './client';

/**
 * Resolves when a broker answers a metadata request within `timeoutMs`; throws otherwise. For
 * readiness probes: a fresh admin each time, always disconnected, so a probe never leaks one.
 */
export async function brokerAnswers(kafka: KafkaClient, timeoutMs = 3_500): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async () => {
    const admin = await kafka.admin();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  })();
  try {
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the Kafka broker does not answer')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined);
  }
}
