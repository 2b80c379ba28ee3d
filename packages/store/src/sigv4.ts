import { createHash, createHmac } from 'node:crypto';

/** The payload hash that tells S3 not to check the body against the signature. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** One request to sign with AWS Signature Version 4, as S3 canonicalizes it. */
export interface SigV4Request {
  method: string;
  /** The URL the request goes to; its host, path and query are signed. */
  url: URL;
  /**
   * Headers to send and sign, names in any case. `host` defaults to the URL's host; the headers
   * this function returns are signed too and need not be given.
   */
  headers: Record<string, string>;
  /** The bytes sent, undefined for no body, or `UNSIGNED-PAYLOAD` to leave the body unsigned. */
  body: Buffer | typeof UNSIGNED_PAYLOAD | undefined;
  /** Hex SHA-256 of `body` when the caller has it already, so a large body is not hashed twice. */
  payloadSha256?: string;
  region: string;
  /** `s3` for S3 and its look-alikes. */
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token (STS); sent and signed as `x-amz-security-token`. */
  sessionToken?: string;
  now: Date;
}

/** The headers a signed request must carry in addition to the ones it was signed with. */
export type SigV4Headers = {
  authorization: string;
  'x-amz-date': string;
  'x-amz-content-sha256': string;
  'x-amz-security-token'?: string;
};

/**
 * Signs a request with AWS Signature Version 4 (header form), following S3's rules: the path is
 * encoded once, never normalized, and every header given is signed.
 */
export function signRequest(request: SigV4Request): SigV4Headers {
  const amzDate = request.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash =
    request.body === UNSIGNED_PAYLOAD
      ? UNSIGNED_PAYLOAD
      : (request.payloadSha256 ?? sha256Hex(request.body ?? Buffer.alloc(0)));
  const added: SigV4Headers = {
    authorization: '',
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payloadHash,
    ...(request.sessionToken !== undefined ? { 'x-amz-security-token': request.sessionToken } : {}),
  };

  const headers = new Map<string, string>([['host', request.url.host]]);
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    // A stale Authorization from an earlier attempt must not sign itself into the new one.
    if (lower === 'authorization') continue;
    const normalized = value.trim().replace(/\s+/g, ' ');
    const previous = lower === 'host' ? undefined : headers.get(lower);
    headers.set(lower, previous === undefined ? normalized : `${previous},${normalized}`);
  }
  for (const [name, value] of Object.entries(added)) {
    if (name !== 'authorization' && value !== undefined) headers.set(name, value);
  }
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(';');

  const canonical = [
    request.method.toUpperCase(),
    canonicalUri(request.url),
    canonicalQuery(request.url),
    names.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    sha256Hex(Buffer.from(canonical, 'utf8')),
  ].join('\n');

  let key: Buffer = hmac(`AWS4${request.secretAccessKey}`, day);
  for (const part of [request.region, request.service, 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString('hex');

  added.authorization =
    `AWS4-HMAC-SHA256 Credential=${request.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}

/**
 * The path as S3 signs it: each segment decoded from the URL's own escaping, then every byte but
 * the unreserved ones percent-encoded once, so `/test$file.text` signs as `/test%24file.text`.
 */
export function canonicalUri(url: URL): string {
  const path = url.pathname === '' ? '/' : url.pathname;
  return path
    .split('/')
    .map((segment) => uriEncode(decodeSegment(segment)))
    .join('/');
}

/** The query sorted by encoded name then value; a bare `?lifecycle` signs as `lifecycle=`. */
export function canonicalQuery(url: URL): string {
  const search = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  if (search === '') return '';
  return search
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      // `+` stays literal: S3 reads query strings as RFC 3986, not as HTML forms.
      return [uriEncode(decodeSegment(name)), uriEncode(decodeSegment(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Hex SHA-256, the form SigV4 uses for payload and canonical-request hashes. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A stray `%` is a literal the server will encode too; signing it as such keeps us in step.
    return segment;
  }
}

function uriEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}
