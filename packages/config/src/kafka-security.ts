import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError, flag } from './variable-readers';

/** TLS to the brokers, which `KAFKA_SSL=1` turns on. */
export interface KafkaTlsConfig {
  /**
   * `KAFKA_SSL_CA_FILE`: PEM certificates of the CAs that sign the brokers' certificates, read at
   * start. Default: Node's bundled CAs, which public clouds' brokers are signed by.
   */
  ca?: string;
  /**
   * `KAFKA_SSL_CERT_FILE` and `KAFKA_SSL_KEY_FILE`, both or neither: this client's PEM certificate
   * (its chain may follow) and unencrypted private key, for brokers that require one (mTLS).
   * Default: none.
   */
  clientCertificate?: { cert: string; key: string };
  /**
   * `KAFKA_SSL_REJECT_UNAUTHORIZED`: refuse a broker whose certificate no trusted CA signed or that
   * names another host. `false` is for development only. Default: true.
   */
  rejectUnauthorized: boolean;
}

/** `KAFKA_SASL_MECHANISM`'s values. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** SASL authentication to the brokers, which `KAFKA_SASL_MECHANISM` turns on. */
export interface KafkaSaslConfig {
  /**
   * `KAFKA_SASL_MECHANISM`: `plain`, `scram-sha-256` or `scram-sha-512`, in any case. `plain`
   * sends the password as it is, so it wants `KAFKA_SSL=1` on any network but a private one.
   */
  mechanism: KafkaSaslMechanism;
  /** `KAFKA_SASL_USERNAME`. Required with a mechanism. */
  username: string;
  /**
   * `KAFKA_SASL_PASSWORD`, taken as given (not trimmed). Required with a mechanism. It is shown as
   * `[redacted]` when the configuration is logged or inspected, and no error message names it.
   */
  password: string;
}

const TLS_DETAILS = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
] as const;

/** Parses `KAFKA_SSL` and the variables beside it, reading their files; undefined: no TLS. */
export function readKafkaTls(env: NodeJS.ProcessEnv): KafkaTlsConfig | undefined {
  if (!flag(env, 'KAFKA_SSL', false)) {
    const stray = TLS_DETAILS.filter((name) => env[name]?.trim());
    if (stray.length > 0) {
      const one = stray.length === 1;
      throw new ConfigError(
        `${listed(stray)} ${one ? 'is' : 'are'} set, but KAFKA_SSL is not 1: ` +
          `set KAFKA_SSL=1 to reach the brokers over TLS, or unset ${one ? 'it' : 'them'}`,
      );
    }
    return undefined;
  }
  const certFile = env.KAFKA_SSL_CERT_FILE?.trim();
  const keyFile = env.KAFKA_SSL_KEY_FILE?.trim();
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together, a client certificate and its key: ' +
        `${certFile ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE'} is missing`,
    );
  }
  const ca = env.KAFKA_SSL_CA_FILE?.trim() ? certificatesIn(env, 'KAFKA_SSL_CA_FILE') : undefined;
  return Object.freeze({
    ...(ca === undefined ? {} : { ca }),
    ...(certFile && keyFile ? { clientCertificate: Object.freeze(clientCertificate(env)) } : {}),
    rejectUnauthorized: flag(env, 'KAFKA_SSL_REJECT_UNAUTHORIZED', true),
  });
}

/** Parses `KAFKA_SASL_MECHANISM` and the credentials it needs; undefined: no SASL. */
export function readKafkaSasl(env: NodeJS.ProcessEnv): KafkaSaslConfig | undefined {
  const raw = env.KAFKA_SASL_MECHANISM?.trim();
  const username = env.KAFKA_SASL_USERNAME?.trim();
  const password = env.KAFKA_SASL_PASSWORD;
  const credentials = [
    ...(username ? ['KAFKA_SASL_USERNAME'] : []),
    ...(password ? ['KAFKA_SASL_PASSWORD'] : []),
  ];
  if (!raw) {
    if (credentials.length === 0) return undefined;
    throw new ConfigError(
      `${listed(credentials)} ${credentials.length === 1 ? 'is' : 'are'} set, but ` +
        `KAFKA_SASL_MECHANISM is not: set it to ${listed(KAFKA_SASL_MECHANISMS, 'or')}`,
    );
  }
  const mechanism = raw.toLowerCase() as KafkaSaslMechanism;
  if (!KAFKA_SASL_MECHANISMS.includes(mechanism)) {
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM must be ${listed(KAFKA_SASL_MECHANISMS, 'or')}, not "${raw}"`,
    );
  }
  if (!username || !password) {
    const missing = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter(
      (name) => !credentials.includes(name),
    );
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: ` +
        `${listed(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`,
    );
  }
  return redactingPassword({ mechanism, username, password });
}

/** The credentials, frozen, shown without the password by JSON.stringify and util.inspect. */
function redactingPassword(sasl: KafkaSaslConfig): KafkaSaslConfig {
  const shown = () => ({ ...sasl, password: '[redacted]' });
  // Not enumerable, so a copy made with `...` for a client library carries the password only.
  Object.defineProperty(sasl, 'toJSON', { value: shown });
  Object.defineProperty(sasl, inspect.custom, {
    value: (_depth: number, options: object) => inspect(shown(), options),
  });
  return Object.freeze(sasl);
}

function clientCertificate(env: NodeJS.ProcessEnv): { cert: string; key: string } {
  const cert = certificatesIn(env, 'KAFKA_SSL_CERT_FILE');
  const keyText = pemFile(env, 'KAFKA_SSL_KEY_FILE');
  const keyFile = env.KAFKA_SSL_KEY_FILE?.trim();
  // PKCS #8 and the older OpenSSL format mark an encrypted key each their own way.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyText)) {
    throw new ConfigError(
      `KAFKA_SSL_KEY_FILE (${keyFile}) holds an encrypted private key: give it unencrypted ` +
        '(openssl pkey -in <file> -out <new file>), readable by the service alone',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (error) {
    throw new ConfigError(`KAFKA_SSL_KEY_FILE (${keyFile}) holds no PEM private key`, {
      cause: error,
    });
  }
  if (!new X509Certificate(cert).checkPrivateKey(key)) {
    throw new ConfigError(
      'KAFKA_SSL_KEY_FILE holds a private key that does not belong to the certificate in ' +
        'KAFKA_SSL_CERT_FILE',
    );
  }
  return { cert, key: keyText };
}

/** The PEM certificates of the file `name` names, each checked to parse. */
function certificatesIn(env: NodeJS.ProcessEnv, name: string): string {
  const text = pemFile(env, name);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const file = env[name]?.trim();
  if (blocks.length === 0) throw new ConfigError(`${name} (${file}) holds no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new ConfigError(
        `${name} (${file}) holds a certificate that cannot be parsed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return text;
}

/** The text of the file the variable `name` names, read now, so a bad path stops the start. */
function pemFile(env: NodeJS.ProcessEnv, name: string): string {
  const file = env[name]?.trim() ?? '';
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${name} names ${file}, which cannot be read: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[], last = 'and'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${last} ${names.at(-1)}`;
}
