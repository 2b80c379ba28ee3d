import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who may talk to the fake and which bucket it holds. */
export interface FakeS3Options {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  /** When set, every request must carry it as `x-amz-security-token`, as STS credentials do. */
  sessionToken?: string;
  /** The fake's idea of now, for the 15-minute clock-skew check; default `Date.now`. */
  clock?: () => number;
}

/** One request as it reached the fake, and the status it was answered with. */
export interface FakeS3Request {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  path: string;
  headers: Record<string, string>;
  status: number;
}

/** An object as stored: its bytes and the headers S3 would keep with it. */
export interface FakeS3Object {
  body: Buffer;
  /** `content-type`, `x-amz-meta-*`, `etag` and `last-modified`, names in lower case. */
  headers: Record<string, string>;
}

/** A running fake: its address, what it was asked and what it holds. */
export interface FakeS3 {
  /** `http://127.0.0.1:<port>`, to use as a path-style endpoint. */
  url: string;
  requests: FakeS3Request[];
  /** Objects by key (decoded, without the bucket). */
  objects: Map<string, FakeS3Object>;
  close(): Promise<void>;
}

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * A one-bucket, path-style S3 speaking PutObject, GetObject and HeadObject, with S3's XML errors.
 * It checks every request's SigV4 signature with its own implementation of the algorithm, so a
 * client bug shows up here as S3 would report it: 403 SignatureDoesNotMatch.
 */
export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const clock = options.clock ?? Date.now;
  const requests: FakeS3Request[] = [];
  const objects = new Map<string, FakeS3Object>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const record: FakeS3Request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: flatHeaders(req),
        status: 0,
      };
      requests.push(record);
      try {
        const body = Buffer.concat(chunks);
        verifySignature(req, body, options, clock());
        handle(req, res, body, options.bucket, objects);
      } catch (error) {
        sendError(
          req,
          res,
          error instanceof S3Failure
            ? error
            : new S3Failure(500, 'InternalError', `The fake failed: ${String(error)}`),
        );
      }
      record.status = res.statusCode;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  bucket: string,
  objects: Map<string, FakeS3Object>,
): void {
  const [rawPath = '/', query = ''] = (req.url ?? '/').split('?', 2);
  const [, rawBucket = '', ...rawKey] = rawPath.split('/');
  const requestedBucket = safeDecode(rawBucket);
  const key = rawKey.map(safeDecode).join('/');
  if (requestedBucket === '' || key === '' || query !== '') {
    throw new S3Failure(501, 'NotImplemented', 'This fake only implements object operations.');
  }
  if (requestedBucket !== bucket) {
    throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist', {
      BucketName: requestedBucket,
    });
  }

  switch (req.method) {
    case 'PUT': {
      const headers: Record<string, string> = {
        'content-type': header(req, 'content-type') ?? 'binary/octet-stream',
        etag: `"${createHash('md5').update(body).digest('hex')}"`,
        'last-modified': new Date().toUTCString(),
      };
      for (const [name, value] of Object.entries(flatHeaders(req))) {
        if (name.startsWith('x-amz-meta-')) headers[name] = value;
      }
      objects.set(key, { body, headers });
      res.writeHead(200, { etag: headers.etag, 'x-amz-request-id': requestId() });
      res.end();
      return;
    }
    case 'GET':
    case 'HEAD': {
      const object = objects.get(key);
      if (!object) {
        throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      }
      res.writeHead(200, {
        ...object.headers,
        'content-length': String(object.body.length),
        'accept-ranges': 'bytes',
        'x-amz-request-id': requestId(),
      });
      res.end(req.method === 'GET' ? object.body : undefined);
      return;
    }
    default:
      throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed.', {
        Method: req.method ?? '',
        ResourceType: 'OBJECT',
      });
  }
}

/** Recomputes the request's SigV4 signature from what arrived on the wire; throws as S3 would. */
function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  options: FakeS3Options,
  now: number,
): void {
  const authorization = header(req, 'authorization');
  if (authorization === undefined) {
    throw new S3Failure(403, 'AccessDenied', 'Access Denied');
  }
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) {
    throw new S3Failure(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed.',
    );
  }
  const [, credential = '', signedList = '', provided = ''] = match;
  const [accessKeyId, day, region, service, terminator, ...rest] = credential.split('/');
  if (rest.length > 0 || service !== 's3' || terminator !== 'aws4_request') {
    throw new S3Failure(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  if (accessKeyId !== options.accessKeyId) {
    throw new S3Failure(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKeyId ?? '' },
    );
  }
  if (region !== options.region) {
    throw new S3Failure(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${region}' is wrong; expecting '${options.region}'`,
      { Region: options.region },
    );
  }

  const amzDate = requestDate(req);
  if (amzDate === undefined || day !== amzDate.slice(0, 8)) {
    throw new S3Failure(
      403,
      'AccessDenied',
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  const sent = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(now - sent) > MAX_SKEW_MS) {
    throw new S3Failure(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }

  // The canonical request lists the names sorted, whatever order the client wrote them in.
  const signed = signedList.split(';').sort();
  const present = Object.keys(flatHeaders(req));
  const unsigned = present.filter((name) => name.startsWith('x-amz-') && !signed.includes(name));
  if (!signed.includes('host') || unsigned.length > 0) {
    throw new S3Failure(
      403,
      'AccessDenied',
      'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsigned.join(', ') || 'host' },
    );
  }

  const contentSha256 = header(req, 'x-amz-content-sha256');
  if (contentSha256 === undefined) {
    throw new S3Failure(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (options.sessionToken !== undefined) {
    if (header(req, 'x-amz-security-token') !== options.sessionToken) {
      throw new S3Failure(
        403,
        'InvalidToken',
        'The provided token is malformed or otherwise invalid.',
      );
    }
  }

  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
  const canonicalPath = rawPath
    .split('/')
    .map((segment) => strictEncode(safeDecode(segment)))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return [strictEncode(safeDecode(name)), strictEncode(safeDecode(value.join('=')))];
    })
    .sort(([a = '', x = ''], [b = '', y = '']) => compare(a, b) || compare(x, y))
    .map(([name = '', value = '']) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signed
    .map((name) => {
      const value = header(req, name);
      // A signed header that never arrived can only mean the signature covers another request.
      return `${name}:${(value ?? '').trim().replace(/ +/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    req.method ?? '',
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signed.join(';'),
    contentSha256,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256')
    .update(canonicalRequest)
    .digest('hex')}`;
  const dateKey = createHmac('sha256', 'AWS4' + options.secretAccessKey)
    .update(day)
    .digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(service).digest();
  const signingKey = createHmac('sha256', serviceKey).update('aws4_request').digest();
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex');

  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(provided))) {
    throw new S3Failure(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: accessKeyId,
        StringToSign: stringToSign,
        SignatureProvided: provided,
        CanonicalRequest: canonicalRequest,
      },
    );
  }

  if (contentSha256 !== 'UNSIGNED-PAYLOAD') {
    // S3 checks the signature over the headers first and the body as it streams in, after.
    if (!/^[0-9a-f]{64}$/.test(contentSha256)) {
      throw new S3Failure(
        400,
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.',
      );
    }
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== contentSha256) {
      throw new S3Failure(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: contentSha256, S3ComputedContentSHA256: actual },
      );
    }
  }
}

/** `x-amz-date`, or the `Date` header in the same compact form, as S3 accepts either. */
function requestDate(req: IncomingMessage): string | undefined {
  const amzDate = header(req, 'x-amz-date');
  if (amzDate !== undefined) return /^\d{8}T\d{6}Z$/.test(amzDate) ? amzDate : undefined;
  const date = header(req, 'date');
  const parsed = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(parsed)) return undefined;
  return new Date(parsed).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function sendError(req: IncomingMessage, res: ServerResponse, failure: S3Failure): void {
  const id = requestId();
  const fields = { Code: failure.code, Message: failure.message, ...failure.extra, RequestId: id };
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    Object.entries(fields)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('') +
    '</Error>';
  res.writeHead(failure.status, {
    'content-type': 'application/xml',
    'x-amz-request-id': id,
    // HEAD answers carry no body, so S3 puts nothing there; the status alone tells the client.
    ...(req.method === 'HEAD' ? {} : { 'content-length': String(Buffer.byteLength(xml)) }),
  });
  res.end(req.method === 'HEAD' ? undefined : xml);
}

/** RFC 3986 unreserved characters kept, everything else percent-encoded from UTF-8. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Code-unit order: after strict encoding every character is ASCII, so this is byte order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A header's values joined by commas, as SigV4 wants repeated headers; Node would use ", ". */
function header(req: IncomingMessage, name: string): string | undefined {
  return req.headersDistinct[name]?.join(',');
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) {
    const value = header(req, name);
    if (value !== undefined) flat[name] = value;
  }
  return flat;
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (char) =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? char,
  );
}
