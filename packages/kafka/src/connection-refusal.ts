import type { KafkaClientSettings } from './client-settings';

/** Why the brokers would not have this client, whichever library asked: its TLS or SASL. */
export type KafkaRefusalCode =
  /** The broker refused the SASL mechanism or credentials. */
  | 'authentication_failed'
  /** The broker's listener speaks TLS, and the client does not. */
  | 'tls_required'
  /**
   * The broker closed every connection of a client without TLS before answering: what a TLS
   * listener does to one speaking SASL, though the libraries cannot tell it for certain.
   */
  | 'closed_unanswered'
  /** The client speaks TLS, and the broker's listener does not. */
  | 'tls_unsupported'
  /** No CA the client trusts signed the broker's certificate, or it names another host. */
  | 'broker_certificate_untrusted'
  /** The broker wants a client certificate, and refused the one given or its absence. */
  | 'client_certificate_refused';

/**
 * Refusals read from a connection closed or reset during its first exchange, which a broker going
 * down can also cause: worth the retries. The others are answers, and retrying cannot change them.
 */
export const INFERRED_REFUSALS: ReadonlySet<KafkaRefusalCode> = new Set([
  'closed_unanswered',
  'tls_unsupported',
]);

/** A connection the brokers refused, with the settings to check; `cause`: the library's error. */
export class KafkaConnectionRefused extends Error {
  override name = 'KafkaConnectionRefused';

  constructor(
    readonly code: KafkaRefusalCode,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** What one library error says, wherever it sits among the errors the library wrapped it in. */
interface Found {
  name?: string;
  code?: string;
  message: string;
  apiId?: string;
  serverErrorMessage?: string;
}

/** Node's codes for a broker certificate it cannot trust. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** The TLS alerts a broker sends when it will not accept the client's certificate. */
const CLIENT_CERTIFICATE_ALERT = new RegExp(
  `ALERT_(${[
    'BAD_CERTIFICATE',
    'CERTIFICATE_REQUIRED',
    'UNKNOWN_CA',
    'CERTIFICATE_UNKNOWN',
    'CERTIFICATE_EXPIRED',
    'UNSUPPORTED_CERTIFICATE',
    'ACCESS_DENIED',
  ].join('|')})$`,
);
/** The broker's answers to a SASL exchange that will not succeed however often it is tried. */
const SASL_REFUSALS = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM']);

/**
 * The refusal `error` reports, explained, or undefined when it is another failure (a broker
 * down, a timeout), which the caller rethrows as it is. Never names the password: the settings
 * it reads are the brokers, the username and the mechanism.
 */
export function refusalOf(
  error: unknown,
  settings: KafkaClientSettings,
): KafkaConnectionRefused | undefined {
  const found = flatten(error);
  const at = `Kafka at ${settings.brokers.join(',')}`;
  const refused = (code: KafkaRefusalCode, message: string) =>
    new KafkaConnectionRefused(code, message, { cause: error });

  const sasl = found.find(
    (entry) =>
      entry.name === 'KafkaJSSASLAuthenticationError' ||
      (entry.apiId !== undefined && SASL_REFUSALS.has(entry.apiId)),
  );
  if (sasl) {
    const who = settings.sasl
      ? ` as "${settings.sasl.username}" (${settings.sasl.mechanism.toUpperCase()})`
      : '';
    return refused(
      'authentication_failed',
      `${at} refused SASL authentication${who}: ${sasl.serverErrorMessage ?? sasl.message}. ` +
        'Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
  }

  const untrusted = found.find((entry) => UNTRUSTED_CERTIFICATE_CODES.has(entry.code ?? ''));
  if (untrusted) {
    return refused(
      'broker_certificate_untrusted',
      `${at} presented a certificate this client does not trust ` +
        `(${firstClause(untrusted.message)}): ` +
        'set KAFKA_SSL_CA_FILE to the CA that signed it, and reach the broker by a name it lists',
    );
  }

  const alert = found.find((entry) => CLIENT_CERTIFICATE_ALERT.test(entry.code ?? ''));
  if (alert) {
    const reason = /alert ([a-z ]+)/.exec(alert.message)?.[1]?.trim() ?? alert.code;
    return refused(
      'client_certificate_refused',
      settings.tls?.clientCertificate
        ? `${at} refused this client's certificate (TLS alert "${reason}"): give one a CA it ` +
            'trusts signed, in KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE'
        : `${at} wants a client certificate (TLS alert "${reason}"): set KAFKA_SSL_CERT_FILE ` +
            'and KAFKA_SSL_KEY_FILE',
    );
  }

  if (found.some((entry) => entry.message === 'Broker requires TLS.')) {
    return refused('tls_required', `${at} answers only over TLS: set KAFKA_SSL=1`);
  }
  if (!settings.tls && found.some(isClosedUnanswered)) {
    // What a TLS listener does to a client speaking plaintext with SASL: the libraries see only
    // a closed connection. A broker merely going down refuses connections instead, so once every
    // retry has been closed on, TLS is the likely reason.
    return refused(
      'closed_unanswered',
      `${at} closed the connection without answering, as a listener that expects TLS does: ` +
        'set KAFKA_SSL=1 if it does',
    );
  }
  if (
    settings.tls &&
    found.some(
      (entry) =>
        entry.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
        // Node's words when a plaintext listener hangs up on a TLS handshake.
        entry.message.includes('disconnected before secure TLS connection was established') ||
        entry.message.startsWith('TLS handshake failed'),
    )
  ) {
    return refused(
      'tls_unsupported',
      `${at} does not speak TLS on this port: use its TLS listener, or unset KAFKA_SSL`,
    );
  }
  return undefined;
}

function isClosedUnanswered(entry: Found): boolean {
  return entry.name === 'KafkaJSConnectionClosedError' || entry.message === 'Connection closed';
}

/** Node's TLS messages run on with advice after a `;`. */
function firstClause(message: string): string {
  return message.split(';')[0]?.trim() ?? message;
}

/** Every error `error` wraps, by `cause` and by `errors` (an AggregateError's), itself first. */
function flatten(error: unknown, seen = new Set<unknown>()): Found[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const fields = error as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === 'string' ? fields[key] : undefined);
  const entry: Found = { message: text('message') ?? '' };
  for (const key of ['name', 'code', 'apiId', 'serverErrorMessage'] as const) {
    const value = text(key);
    if (value !== undefined) entry[key] = value;
  }
  const inner = Array.isArray(fields.errors) ? fields.errors : [];
  return [entry, ...flatten(fields.cause, seen), ...inner.flatMap((each) => flatten(each, seen))];
}
