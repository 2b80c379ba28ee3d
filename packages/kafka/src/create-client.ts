import type { KafkaConfig } from '@weft/config';
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
   * The client library behind the interface (a service's `WEFT_KAFKA_CLIENT`, read with its
   * configuration). Default: {@link DEFAULT_KAFKA_IMPLEMENTATION}.
   */
  implementation?: KafkaImplementation;
}

/**
 * Creates the {@link KafkaClient} services use, on the library `config.implementation` names; an
 * unknown name fails at once rather than falling back silently.
 */
export function createKafkaClient(config: KafkaClientConfig): KafkaClient {
  const { implementation, ...settings } = config;
  const chosen = implementation ?? DEFAULT_KAFKA_IMPLEMENTATION;
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

/**
 * The client `WEFT_KAFKA_CLIENT` names in `env`, else the default; unchecked (see
 * createKafkaClient). For programs beside the services (tests, benchmarks) that follow the same
 * variable; a service reads it with its configuration.
 */
export function kafkaImplementationFromEnv(env: NodeJS.ProcessEnv): KafkaImplementation {
  return (
    (nonEmpty(env.WEFT_KAFKA_CLIENT) as KafkaImplementation | undefined) ??
    DEFAULT_KAFKA_IMPLEMENTATION
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The Kafka client a configuration describes (see readKafkaConfig): its brokers, namespace,
 * library, TLS and SASL. For the services, custom workers, and programs beside them that read the
 * same variables.
 */
export function kafkaClientConfig(config: KafkaConfig): KafkaClientConfig {
  return {
    brokers: [...config.kafkaBrokers],
    ...(config.kafkaNamespace === undefined ? {} : { namespace: config.kafkaNamespace }),
    // Unchecked here: createKafkaClient refuses a name it does not know, which stops the process.
    ...(config.kafkaClient === undefined
      ? {}
      : { implementation: config.kafkaClient as KafkaImplementation }),
    ...(config.kafkaTls === undefined ? {} : { tls: config.kafkaTls }),
    ...(config.kafkaSasl === undefined ? {} : { sasl: config.kafkaSasl }),
  };
}
