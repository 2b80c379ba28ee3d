import type { ConnectionOptions } from 'node:tls';

/**
 * Retries of a failed request. Enough to outlast a broker of a cluster dying: the controllers
 * fence it only after its session times out (9 s by default), and until then metadata still names
 * it leader of its partitions; with the backoff (up to 5 s apart), 8 retries span about 20 s.
 */
export const DEFAULT_RETRIES = 8;

/** What every Kafka client implementation is configured with. */
export interface KafkaClientSettings {
  /** `host:port` of one or more brokers. */
  brokers: string[];
  /** Names this process to the broker, and in its logs. Default: `weft`. */
  clientId?: string;
  /** How long to wait for a connection. Default: 3000 ms. */
  connectionTimeoutMs?: number;
  /**
   * Prefixed to every topic and consumer group name, so that several deployments (or test files)
   * can share one cluster without seeing each other's messages. Default: none.
   */
  namespace?: string;
  /** How many times a failed request is retried before it fails. Default: {@link DEFAULT_RETRIES}. */
  retries?: number;
  /** Which of the client library's messages go to stderr, as JSON lines. Default: warn. */
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /** Connects to the brokers over TLS. Default: none, plaintext. */
  tls?: KafkaTls;
  /** Authenticates to the brokers with SASL, over TLS or not. Default: none. */
  sasl?: KafkaSasl;
}

/** TLS to the brokers: whom to trust, and the certificate to present when they ask for one. */
export interface KafkaTls {
  /** PEM certificates of the CAs that sign the brokers' certificates. Default: Node's CAs. */
  ca?: string;
  /** PEM certificate and unencrypted private key of this client, for brokers that want one. */
  clientCertificate?: { cert: string; key: string };
  /**
   * Refuses a broker whose certificate no trusted CA signed or that names another host; false is
   * for development only. Default: true.
   */
  rejectUnauthorized?: boolean;
}

/** Node's options for a TLS connection to a broker, which both libraries take. */
export function nodeTlsOptions(tls: KafkaTls): ConnectionOptions {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...tls.clientCertificate,
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
}

/**
 * The SASL mechanisms Weft authenticates with, spelled as kafkajs spells them: those both
 * libraries speak that take a username and a password.
 */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** SASL credentials. The password is handed to the client library and to nothing else. */
export interface KafkaSasl {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

export interface Namespacing {
  /** The physical name of a logical topic or group. */
  topic: (name: string) => string;
  /** The logical name of a physical topic, or undefined when it is outside the namespace. */
  logical: (name: string) => string | undefined;
}

/** Logical ↔ physical topic and group names under `namespace`. */
export function namespacing(namespace: string | undefined): Namespacing {
  if (!namespace) return { topic: (name) => name, logical: (name) => name };
  const prefix = `${namespace}.`;
  return {
    topic: (name) => `${prefix}${name}`,
    logical: (name) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined),
  };
}
