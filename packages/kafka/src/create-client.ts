import type { KafkaClient } from './client';
import type { KafkaClientSettings } from './client-settings';
import { createKafkajsClient } from './kafkajs-client';
import { createPlatformaticClient } from './platformatic-client';

/** The Kafka client libraries Weft can run on. */
export const KAFKA_IMPLEMENTATIONS = ['kafkajs', 'platformatic'] as const;
export type KafkaImplementation = (typeof KAFKA_IMPLEMENTATIONS)[number];

/**
 * `@platformatic/kafka`: a produce-to-consume round trip in well under a millisecond against
 * kafkajs's several, and five chaos runs in a row with nothing lost (docs/benchmarks.md).
 */
export const DEFAULT_KAFKA_IMPLEMENTATION: KafkaImplementation = 'platformatic';

export interface KafkaClientConfig extends KafkaClientSettings {
  /**
   * The client library behind the interface. Default: `WEFT_KAFKA_CLIENT` from the environment,
   * else {@link DEFAULT_KAFKA_IMPLEMENTATION}.
   */
  implementation?: KafkaImplementation;
}

/**
 * Creates the {@link KafkaClient} services use, on the library `config.implementation` (or
 * `WEFT_KAFKA_CLIENT`) names; an unknown name fails at once rather than falling back silently.
 */
export function createKafkaClient(config: KafkaClientConfig): KafkaClient {
  const { implementation, ...settings } = config;
  const chosen = implementation ?? kafkaImplementationFromEnv();
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

/** The client `WEFT_KAFKA_CLIENT` names, else the default; unchecked (see createKafkaClient). */
export function kafkaImplementationFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): KafkaImplementation {
  return (
    (nonEmpty(env.WEFT_KAFKA_CLIENT) as KafkaImplementation | undefined) ??
    DEFAULT_KAFKA_IMPLEMENTATION
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
