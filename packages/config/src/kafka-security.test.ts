import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, readBaseConfig } from './index';
import { KAFKA_SASL_MECHANISMS, readKafkaSasl, readKafkaTls } from './kafka-security';

const PASSWORD = ' pa$$ word, with spaces ';
const dir = mkdtempSync(join(tmpdir(), 'weft-config-tls-'));
const file = (name: string) => join(dir, name);

/** A self-signed certificate and its key, made by openssl; `-noenc` leaves the key unencrypted. */
function certificate(name: string): void {
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-noenc',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.pem`),
  ]);
}

beforeAll(() => {
  certificate('ca');
  certificate('client');
  certificate('other');
  execFileSync('openssl', [
    'pkey',
    '-in',
    file('client.key'),
    '-aes256',
    '-passout',
    'pass:secret',
    '-out',
    file('encrypted.key'),
  ]);
  writeFileSync(file('not-pem.txt'), 'just some text\n');
  const pem = readFileSync(file('ca.pem'), 'utf8');
  writeFileSync(file('corrupt.pem'), pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = { KAFKA_BROKERS: 'broker:9093', MONGODB_URI: 'mongodb://db/weft' };
const MTLS = () => ({
  KAFKA_SSL: '1',
  KAFKA_SSL_CA_FILE: file('ca.pem'),
  KAFKA_SSL_CERT_FILE: file('client.pem'),
  KAFKA_SSL_KEY_FILE: file('client.key'),
});
const SCRAM = {
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'weft',
  KAFKA_SASL_PASSWORD: PASSWORD,
};

describe('KAFKA_SSL and the variables beside it', () => {
  it('leave TLS off by default', () => {
    expect(readKafkaTls({})).toBeUndefined();
    expect(readKafkaTls({ KAFKA_SSL: '0' })).toBeUndefined();
    expect(readKafkaTls({ KAFKA_SSL: 'false' })).toBeUndefined();
    expect(readBaseConfig(BASE)).not.toHaveProperty('kafkaTls');
  });

  it('turn TLS on with the system CAs, checking the broker, when KAFKA_SSL alone is set', () => {
    for (const on of ['1', 'true', 'TRUE', ' 1 ']) {
      expect(readKafkaTls({ KAFKA_SSL: on })).toEqual({ rejectUnauthorized: true });
    }
  });

  it('read the CA, the client certificate and its key from their files at start', () => {
    expect(readBaseConfig({ ...BASE, ...MTLS() }).kafkaTls).toEqual({
      ca: readFileSync(file('ca.pem'), 'utf8'),
      clientCertificate: {
        cert: readFileSync(file('client.pem'), 'utf8'),
        key: readFileSync(file('client.key'), 'utf8'),
      },
      rejectUnauthorized: true,
    });
    expect(readKafkaTls({ KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: file('ca.pem') })).toEqual({
      ca: readFileSync(file('ca.pem'), 'utf8'),
      rejectUnauthorized: true,
    });
  });

  it('stop checking the broker only when KAFKA_SSL_REJECT_UNAUTHORIZED says so', () => {
    for (const [raw, expected] of [
      ['false', false],
      ['0', false],
      ['true', true],
      ['1', true],
      ['', true],
    ] as const) {
      expect(
        readKafkaTls({ KAFKA_SSL: '1', KAFKA_SSL_REJECT_UNAUTHORIZED: raw })?.rejectUnauthorized,
      ).toBe(expected);
    }
  });

  it.each([
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL must be 1 or 0 (true or false), not "yes"'],
    [
      { KAFKA_SSL: '1', KAFKA_SSL_REJECT_UNAUTHORIZED: 'no' },
      'KAFKA_SSL_REJECT_UNAUTHORIZED must be 1 or 0 (true or false), not "no"',
    ],
    [
      { KAFKA_SSL_CA_FILE: '/etc/ca.pem' },
      'KAFKA_SSL_CA_FILE is set, but KAFKA_SSL is not 1: set KAFKA_SSL=1 to reach the brokers ' +
        'over TLS, or unset it',
    ],
    [
      { KAFKA_SSL: '0', KAFKA_SSL_CERT_FILE: '/c', KAFKA_SSL_KEY_FILE: '/k' },
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE are set, but KAFKA_SSL is not 1: set ' +
        'KAFKA_SSL=1 to reach the brokers over TLS, or unset them',
    ],
    [
      { KAFKA_SSL_CA_FILE: '/a', KAFKA_SSL_CERT_FILE: '/c', KAFKA_SSL_REJECT_UNAUTHORIZED: '0' },
      'KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE and KAFKA_SSL_REJECT_UNAUTHORIZED are set, but ' +
        'KAFKA_SSL is not 1: set KAFKA_SSL=1 to reach the brokers over TLS, or unset them',
    ],
    [
      { KAFKA_SSL: '1', KAFKA_SSL_CERT_FILE: '/c' },
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together, a client certificate and its key: ' +
        'KAFKA_SSL_KEY_FILE is missing',
    ],
    [
      { KAFKA_SSL: '1', KAFKA_SSL_KEY_FILE: '/k' },
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together, a client certificate and its key: ' +
        'KAFKA_SSL_CERT_FILE is missing',
    ],
  ])('refuse %j: %s', (env, message) => {
    expect(() => readBaseConfig({ ...BASE, ...SCRAM, ...env })).toThrow(new ConfigError(message));
  });

  it('refuse a file that cannot be read, naming the variable and the path', () => {
    const missing = file('missing.pem');
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_CA_FILE: missing })).toThrow(
      `KAFKA_SSL_CA_FILE names ${missing}, which cannot be read: ENOENT: no such file or directory`,
    );
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_KEY_FILE: dir })).toThrow(
      `KAFKA_SSL_KEY_FILE names ${dir}, which cannot be read: EISDIR`,
    );
  });

  it('refuse files that do not hold what their variable names', () => {
    const notPem = file('not-pem.txt');
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_CA_FILE: notPem })).toThrow(
      new ConfigError(`KAFKA_SSL_CA_FILE (${notPem}) holds no PEM certificate`),
    );
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_CERT_FILE: file('client.key') })).toThrow(
      new ConfigError(`KAFKA_SSL_CERT_FILE (${file('client.key')}) holds no PEM certificate`),
    );
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_CA_FILE: file('corrupt.pem') })).toThrow(
      `KAFKA_SSL_CA_FILE (${file('corrupt.pem')}) holds a certificate that cannot be parsed`,
    );
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_KEY_FILE: file('client.pem') })).toThrow(
      `KAFKA_SSL_KEY_FILE (${file('client.pem')}) holds no PEM private key`,
    );
  });

  it('refuse an encrypted key, and a key that is not the certificate’s', () => {
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_KEY_FILE: file('encrypted.key') })).toThrow(
      `KAFKA_SSL_KEY_FILE (${file('encrypted.key')}) holds an encrypted private key: give it ` +
        'unencrypted',
    );
    expect(() => readKafkaTls({ ...MTLS(), KAFKA_SSL_KEY_FILE: file('other.key') })).toThrow(
      new ConfigError(
        'KAFKA_SSL_KEY_FILE holds a private key that does not belong to the certificate in ' +
          'KAFKA_SSL_CERT_FILE',
      ),
    );
  });
});

describe('KAFKA_SASL_MECHANISM and its credentials', () => {
  it('leave SASL off by default', () => {
    expect(readKafkaSasl({})).toBeUndefined();
    expect(readBaseConfig(BASE)).not.toHaveProperty('kafkaSasl');
  });

  it.each(KAFKA_SASL_MECHANISMS)('accept %s, in any case, with a username and password', (name) => {
    for (const spelled of [name, name.toUpperCase()]) {
      expect({
        ...readBaseConfig({ ...BASE, ...SCRAM, KAFKA_SASL_MECHANISM: spelled }).kafkaSasl,
      }).toEqual({ mechanism: name, username: 'weft', password: PASSWORD });
    }
  });

  it('take the password as given, and the username trimmed', () => {
    const sasl = readKafkaSasl({ ...SCRAM, KAFKA_SASL_USERNAME: ' weft ' });
    expect(sasl?.username).toBe('weft');
    expect(sasl?.password).toBe(PASSWORD);
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'gssapi' },
      'KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, not "gssapi"',
    ],
    [
      { KAFKA_SASL_PASSWORD: '' },
      'KAFKA_SASL_MECHANISM=scram-sha-512 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: ' +
        'KAFKA_SASL_PASSWORD is missing',
    ],
    [
      { KAFKA_SASL_USERNAME: ' ' },
      'KAFKA_SASL_MECHANISM=scram-sha-512 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: ' +
        'KAFKA_SASL_USERNAME is missing',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' },
      'KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: ' +
        'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are missing',
    ],
    [
      { KAFKA_SASL_MECHANISM: '' },
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set, but KAFKA_SASL_MECHANISM is not: ' +
        'set it to plain, scram-sha-256 or scram-sha-512',
    ],
    [
      { KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '' },
      'KAFKA_SASL_PASSWORD is set, but KAFKA_SASL_MECHANISM is not: set it to plain, ' +
        'scram-sha-256 or scram-sha-512',
    ],
  ])('refuse %j: %s', (env, message) => {
    expect(() => readBaseConfig({ ...BASE, ...SCRAM, ...env })).toThrow(new ConfigError(message));
  });

  it('never show the password when the configuration is logged or inspected', () => {
    const config = readBaseConfig({ ...BASE, ...MTLS(), ...SCRAM });
    expect(config.kafkaSasl?.password).toBe(PASSWORD);
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
    expect(JSON.stringify(config)).toContain('"kafkaSasl":{"mechanism":"scram-sha-512"');
    expect(inspect(config, { depth: null })).not.toContain(PASSWORD);
    expect(inspect(config, { depth: null })).toContain("password: '[redacted]'");
    // A copy for a client library carries the password, and nothing else of the redaction.
    expect({ ...config.kafkaSasl }).toEqual({ ...SCRAM_CONFIG, password: PASSWORD });
    expect(Object.isFrozen(config.kafkaSasl)).toBe(true);
  });
});

const SCRAM_CONFIG = { mechanism: 'scram-sha-512', username: 'weft' };
