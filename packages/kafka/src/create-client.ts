import type { KafkaClient } from './client';
import type { KafkaClientSettings } from './client-settings';
import { createKafkajsClient } from './kafkajs-client';
import { createPlatformaticClient } from './platformatic-client';

/** The Kafka client libraries Weft can run on. */
export const KAFKA_IMPLEMENTATIONS = ['kafkajs', 'platformatic'] as const;
export type KafkaImplementation = (typeof KAFKA_IMPLEMENTATIONS)[number];

export interface KafkaClientConfig extends KafkaClientSettings {
  /**
   * The client library behind the interface. Default: `WEFT_KAFKA_CLIENT` from the environment,
   * else `kafkajs`. `platformatic` is several times faster and passes the test suite, but lost
   * runs in a chaos run after a database restart (docs/benchmarks.md), so it is not the default.
   */
  implementation?: KafkaImplementation;
}

/**
 * Creates the {@link KafkaClient} services use, on the library `config.implementation` (or
 * `WEFT_KAFKA_CLIENT`) names; an unknown name fails at once rather than falling back silently.
 */
export function createKafkaClient(config: KafkaClientConfig): KafkaClient {
  const { implementation, ...settings } = config;
  const chosen = implementation ?? nonEmpty(process.env.WEFT_KAFKA_CLIENT) ?? 'kafkajs';
  switch (chosen) {
    case 'kafkajs':
      return createKafkajsClient(settings);
    case 'platformatic':
      return createPlatformaticClient(settings);
    default:
      throw new Error(
        `unknown Kafka client "${String(chosen)}" (WEFT_KAFKA_CLIENT or implementation): ` +
          `expected one of ${KAFKA_IMPLEMENTATIONS.join(', ')}`,
      );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
