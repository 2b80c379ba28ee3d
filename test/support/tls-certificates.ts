import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A CA of a test's own and what it signed, as PEM files in one folder. */
export interface TestCertificates {
  /** The CA's certificate: what clients trust, and what the broker checks clients against. */
  caFile: string;
  /** The broker's private key then its certificate, for 127.0.0.1 and localhost. */
  brokerKeystoreFile: string;
  /** A client certificate the CA signed, and its key. */
  clientCertFile: string;
  clientKeyFile: string;
}

/**
 * Makes a CA, a broker certificate and a client certificate with openssl, valid for a day. Keys
 * are P-256, quick to make, unencrypted PKCS #8, as Kafka's PEM keystores and Weft's
 * KAFKA_SSL_KEY_FILE take them.
 */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const file = (name: string) => join(dir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];
  await openssl(
    'req',
    '-x509',
    '-days',
    '1',
    '-subj',
    '/CN=weft-test-ca',
    ...newKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  const sign = async (name: string, subject: string, extensions: string) => {
    await openssl(
      'req',
      ...newKey,
      '-subj',
      subject,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    writeFileSync(file(`${name}.ext`), extensions);
    await openssl(
      'x509',
      '-req',
      '-days',
      '1',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };
  await sign('broker', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await sign('client', '/CN=weft-test-client', 'extendedKeyUsage=clientAuth\n');
  const keystore = file('broker-keystore.pem');
  writeFileSync(
    keystore,
    readFileSync(file('broker.key'), 'utf8') + readFileSync(file('broker.pem'), 'utf8'),
  );
  return {
    caFile: file('ca.pem'),
    brokerKeystoreFile: keystore,
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
  };
}

async function openssl(...args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}
