import type { ArtifactFile } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import type { BytesBody, RequestSpec, Transport } from './transport';

/** Options of an artifact upload. */
export interface UploadArtifactOptions extends CallOptions {
  /** What the bytes are, e.g. `image/png`: required, and served back with them. */
  contentType: string;
  /** The run the artifact belongs to, recorded with it; it must be the app's (404 otherwise). */
  runId?: string;
  /**
   * This upload's limit on each attempt, ms; 0: none. Default: the client's `timeoutMs` — raise
   * it for large uploads on slow links.
   */
  timeoutMs?: number;
}

/**
 * Sends `body` to an upload route (`path`) and returns the artifact as step results name one.
 * Retried only when the gateway did nothing (429, 503, a refused connection), and never for a
 * stream, which cannot be sent twice.
 */
export function uploadArtifact(
  transport: Transport,
  path: string,
  body: BytesBody,
  options: UploadArtifactOptions,
  headers: Record<string, string> = {},
): Promise<ArtifactFile> {
  const spec: RequestSpec = {
    method: 'POST',
    path,
    query: { runId: options.runId },
    bytes: { body, type: options.contentType },
    headers,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...signalOf(options),
  };
  return transport.json<ArtifactFile>(spec);
}
