import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  ARTIFACT_ID_PATTERN,
  type ArtifactInfo,
  type ArtifactStore,
  type NewArtifact,
  type NewArtifactStream,
} from './artifact-store';
import { newId } from './ids';
import { signRequest } from './sigv4';

/** Where the bucket is and how to sign for it. */
export interface S3ArtifactStoreOptions {
  /** Scheme, host and port: `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`. */
  endpoint: string;
  bucket: string;
  /** The signing region; `us-east-1` for MinIO unless it was configured otherwise. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary (STS) credentials. */
  sessionToken?: string;
  /**
   * `<endpoint>/<bucket>/<key>` rather than `<bucket>.<endpoint host>/<key>`. Default true: MinIO,
   * Ceph and a bare IP need it, and AWS still accepts it.
   */
  forcePathStyle?: boolean;
  /** Prepended to every object key. Default `artifacts/`. */
  prefix?: string;
}

/** Why an S3 request failed: S3's error code (or `NetworkError`), and the HTTP status if any. */
export class S3ArtifactStoreError extends Error {
  constructor(
    readonly operation: 'PutObject' | 'GetObject',
    readonly code: string,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'S3ArtifactStoreError';
  }
}

// Only ids of this shape go into object keys, so no app id can climb out of its own folder
// with `..` or reach another app's by containing `/`.
const APP_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

const META = {
  appId: 'x-amz-meta-app-id',
  sha256: 'x-amz-meta-sha256',
  runId: 'x-amz-meta-run-id',
  nodeId: 'x-amz-meta-node-id',
  createdAt: 'x-amz-meta-created-at',
} as const;

/**
 * Artifacts in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Ceph), signed with SigV4
 * over Node's fetch. Objects live at `<prefix><appId>/<artifactId>`, so a read for one app cannot
 * name another app's object even with a guessed id.
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly endpoint: URL;
  private readonly bucket: string;
  private readonly region: string;
  private readonly forcePathStyle: boolean;
  private readonly prefix: string;
  // A true private field: util.inspect and JSON.stringify of the store never show the secret.
  readonly #credentials: Pick<
    S3ArtifactStoreOptions,
    'accessKeyId' | 'secretAccessKey' | 'sessionToken'
  >;

  /**
   * `clock` dates artifacts (`createdAt`), default `Date.now`; signatures always use the system
   * time, since S3 refuses requests more than 15 minutes off its own.
   */
  constructor(
    options: S3ArtifactStoreOptions,
    private readonly clock: () => number = Date.now,
  ) {
    let endpoint: URL;
    try {
      endpoint = new URL(options.endpoint);
    } catch (cause) {
      throw new Error(`S3 endpoint "${options.endpoint}" is not a URL`, { cause });
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new Error(`S3 endpoint "${options.endpoint}" must be http:// or https://`);
    }
    if (options.bucket === '') throw new Error('S3 bucket name is empty');
    this.endpoint = endpoint;
    this.bucket = options.bucket;
    this.region = options.region;
    this.#credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}),
    };
    this.forcePathStyle = options.forcePathStyle ?? true;
    this.prefix = options.prefix ?? 'artifacts/';
  }

  async put(artifact: NewArtifact): Promise<ArtifactInfo> {
    this.checkAppId(artifact.appId);
    const id = newId('art');
    const sha256 = createHash('sha256').update(artifact.bytes).digest('hex');
    const createdAt = this.clock();
    const headers: Record<string, string> = {
      'content-type': artifact.contentType,
      [META.appId]: artifact.appId,
      [META.sha256]: sha256,
      [META.createdAt]: String(createdAt),
      // S3 keeps metadata as HTTP header text, so anything outside ASCII would be mangled.
      ...(artifact.runId !== undefined ? { [META.runId]: encodeURIComponent(artifact.runId) } : {}),
      ...(artifact.nodeId !== undefined
        ? { [META.nodeId]: encodeURIComponent(artifact.nodeId) }
        : {}),
    };
    const response = await this.send('PutObject', this.key(artifact.appId, id), headers, {
      bytes: artifact.bytes,
      sha256,
    });
    await response.arrayBuffer();
    return {
      id,
      appId: artifact.appId,
      contentType: artifact.contentType,
      size: artifact.bytes.length,
      sha256,
      ...(artifact.runId !== undefined ? { runId: artifact.runId } : {}),
      ...(artifact.nodeId !== undefined ? { nodeId: artifact.nodeId } : {}),
      createdAt,
    };
  }

  /**
   * Collects the bytes, then puts them as one object: its SHA-256 travels in a header, ahead of the
   * body, so it must be known before the body is sent. Memory is bounded by the caller's limit
   * (the gateway's `ARTIFACT_LIMIT_BYTES`). A source that fails stores nothing: S3 saw no request.
   */
  async putStream(artifact: NewArtifactStream): Promise<ArtifactInfo> {
    const { content, ...rest } = artifact;
    this.checkAppId(rest.appId);
    const chunks: Uint8Array[] = [];
    for await (const chunk of content) chunks.push(chunk);
    return this.put({ ...rest, bytes: Buffer.concat(chunks) });
  }

  async open(
    appId: string,
    id: string,
  ): Promise<{ info: ArtifactInfo; content: Readable } | undefined> {
    if (!ARTIFACT_ID_PATTERN.test(id) || !APP_ID_PATTERN.test(appId)) return undefined;
    const key = this.key(appId, id);
    let response: Response;
    try {
      response = await this.send('GetObject', key, {});
    } catch (error) {
      // A missing bucket is a 404 too, but it is misconfiguration, not a missing artifact.
      if (error instanceof S3ArtifactStoreError && error.code === 'NoSuchKey') return undefined;
      throw error;
    }

    const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
    const sha256 = header(META.sha256);
    const size = Number(header('content-length'));
    if (sha256 === undefined || !Number.isSafeInteger(size)) {
      await response.body?.cancel();
      throw new S3ArtifactStoreError(
        'GetObject',
        'NotAnArtifact',
        response.status,
        `S3 object "${key}" lacks ${sha256 === undefined ? META.sha256 : 'Content-Length'}; ` +
          'it was not written by S3ArtifactStore',
      );
    }
    const runId = header(META.runId);
    const nodeId = header(META.nodeId);
    const createdAt = Number(header(META.createdAt) ?? Date.parse(header('last-modified') ?? ''));
    const info: ArtifactInfo = {
      id,
      appId,
      contentType: header('content-type') ?? 'application/octet-stream',
      size,
      sha256,
      ...(runId !== undefined ? { runId: decodeMeta(runId) } : {}),
      ...(nodeId !== undefined ? { nodeId: decodeMeta(nodeId) } : {}),
      createdAt: Number.isFinite(createdAt) ? createdAt : this.clock(),
    };
    const content = response.body
      ? Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)
      : Readable.from([]);
    return { info, content };
  }

  private checkAppId(appId: string): void {
    if (!APP_ID_PATTERN.test(appId)) throw new Error(`App id "${appId}" cannot name an S3 object`);
  }

  private key(appId: string, id: string): string {
    return `${this.prefix}${appId}/${id}`;
  }

  private url(key: string): URL {
    const url = new URL(this.endpoint.href);
    const base = url.pathname.replace(/\/+$/, '');
    const encodedKey = key.split('/').map(encodeURIComponent).join('/');
    if (this.forcePathStyle) {
      url.pathname = `${base}/${encodeURIComponent(this.bucket)}/${encodedKey}`;
    } else {
      url.hostname = `${this.bucket}.${url.hostname}`;
      url.pathname = `${base}/${encodedKey}`;
    }
    url.search = '';
    return url;
  }

  /**
   * Sends one signed request and returns the successful response. Failures are thrown with S3's
   * code and message (a missing key as `NoSuchKey`), never with the credentials or the signature.
   */
  private async send(
    operation: 'PutObject' | 'GetObject',
    key: string,
    headers: Record<string, string>,
    body?: { bytes: Buffer; sha256: string },
  ): Promise<Response> {
    const method = operation === 'PutObject' ? 'PUT' : 'GET';
    const url = this.url(key);
    const signed = signRequest({
      method,
      url,
      headers,
      body: body?.bytes,
      ...(body ? { payloadSha256: body.sha256 } : {}),
      region: this.region,
      service: 's3',
      ...this.#credentials,
      now: new Date(),
    });

    let response: Response;
    try {
      response = await fetch(url, {
        method,
        // Unsigned, so a proxy that rewrites it cannot break the signature; identity, because
        // transparent decompression would make the bytes disagree with Content-Length and sha256.
        headers: { ...headers, ...signed, 'accept-encoding': 'identity' },
        ...(body ? { body: body.bytes } : {}),
      });
    } catch (cause) {
      throw new S3ArtifactStoreError(
        operation,
        'NetworkError',
        undefined,
        this.redact(`S3 ${operation} of "${key}" at ${url.origin} failed: ${describe(cause)}`),
        { cause },
      );
    }
    if (response.ok) return response;

    const text = await response.text().catch(() => '');
    const code =
      xmlField(text, 'Code') ??
      (response.status === 404 && operation === 'GetObject' ? 'NoSuchKey' : undefined);
    const s3Message = xmlField(text, 'Message');
    const requestId = response.headers.get('x-amz-request-id');
    throw new S3ArtifactStoreError(
      operation,
      code ?? `HTTP${response.status}`,
      response.status,
      this.redact(
        `S3 ${operation} of "${key}" in bucket "${this.bucket}" failed: ` +
          `${response.status} ${code ?? response.statusText}` +
          (s3Message !== undefined ? ` (${s3Message})` : '') +
          (requestId ? ` [request id ${requestId}]` : ''),
      ),
    );
  }

  /** Belt and braces: a server could echo anything back, and a message ends up in logs. */
  private redact(message: string): string {
    let redacted = message;
    for (const secret of [this.#credentials.secretAccessKey, this.#credentials.sessionToken]) {
      if (secret) redacted = redacted.split(secret).join('[redacted]');
    }
    return redacted.replace(/AWS4-HMAC-SHA256[^"<)\]]*/g, 'AWS4-HMAC-SHA256 [redacted]');
  }
}

/**
 * The S3 store's settings when `ARTIFACT_STORE=s3`, from `S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION`
 * (default `us-east-1`), `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`, `S3_SESSION_TOKEN` and
 * `S3_FORCE_PATH_STYLE` (default true). Undefined when `ARTIFACT_STORE` is unset or `gridfs`.
 */
export function s3ArtifactStoreOptionsFromEnv(
  env: Record<string, string | undefined>,
): S3ArtifactStoreOptions | undefined {
  const kind = env.ARTIFACT_STORE?.trim() ?? '';
  if (kind === '' || kind === 'gridfs') return undefined;
  if (kind !== 's3') {
    throw new Error(`ARTIFACT_STORE must be "gridfs" or "s3", not "${kind}"`);
  }
  const required = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
  const missing = required.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(`ARTIFACT_STORE=s3 needs ${missing.join(', ')}`);
  }
  const pathStyle = env.S3_FORCE_PATH_STYLE?.trim().toLowerCase() ?? '';
  if (!['', 'true', '1', 'false', '0'].includes(pathStyle)) {
    throw new Error(`S3_FORCE_PATH_STYLE must be true or false, not "${pathStyle}"`);
  }
  const sessionToken = env.S3_SESSION_TOKEN?.trim();
  return {
    endpoint: env.S3_ENDPOINT?.trim() ?? '',
    bucket: env.S3_BUCKET?.trim() ?? '',
    region: env.S3_REGION?.trim() || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID?.trim() ?? '',
    secretAccessKey: env.S3_SECRET_ACCESS_KEY?.trim() ?? '',
    ...(sessionToken ? { sessionToken } : {}),
    forcePathStyle: pathStyle !== 'false' && pathStyle !== '0',
  };
}

/** The S3 store `env` configures (see s3ArtifactStoreOptionsFromEnv), or undefined for GridFS. */
export function s3ArtifactStoreFromEnv(
  env: Record<string, string | undefined>,
): S3ArtifactStore | undefined {
  const options = s3ArtifactStoreOptionsFromEnv(env);
  return options && new S3ArtifactStore(options);
}

/** The text of `<name>` in an S3 XML error, entities decoded. */
function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!match) return undefined;
  const entities: Record<string, string> = {
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&apos;': "'",
    '&amp;': '&',
  };
  return (match[1] ?? '').replace(/&(lt|gt|quot|apos|amp);/g, (entity) => entities[entity] ?? '');
}

/** Undoes the encoding `put` applies to metadata; a value some other writer left is kept as is. */
function decodeMeta(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS error) is in the cause.
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
