import { artifactUrl as apiArtifactUrl } from '@weft/contract';
import { NonRetriableStepError, StepFailure } from '@weft/core';
import { ARTIFACT_ID_PATTERN, readArtifact, type ArtifactInfo } from '@weft/store';
import {
  fetchBytes,
  isLastingRefusal,
  OutboundRequestError,
  OutboundUrlError,
} from '@weft/webhooks';
import type { StepContext } from '@weft/worker';
import type { StepServices } from './step-services';

/** The most a step reads of one input image, audio or video. */
export const MAX_MEDIA_BYTES = 50 * 1024 * 1024;

/** Media in hand: its bytes and what they are. */
export interface Media {
  bytes: Buffer;
  contentType: string | undefined;
}

/** The URL the gateway serves an artifact at (`GET /v1/artifacts/:id`, with the app's key). */
export function artifactUrl(services: StepServices, id: string): string {
  return apiArtifactUrl(services.publicUrl, id);
}

/** The artifact id when `url` is one of our artifact URLs. */
export function artifactIdOf(services: StepServices, url: string): string | undefined {
  const prefix = artifactUrl(services, '');
  if (!url.startsWith(prefix)) return undefined;
  const id = url.slice(prefix.length);
  return ARTIFACT_ID_PATTERN.test(id) ? id : undefined;
}

/** Keeps bytes a step made as an artifact of its app and run; returns the artifact and its URL. */
export async function storeMedia(
  services: StepServices,
  context: StepContext,
  bytes: Buffer,
  contentType: string,
): Promise<{ info: ArtifactInfo; url: string }> {
  const info = await services.artifacts.put({
    appId: context.appId,
    bytes,
    contentType,
    runId: context.runId,
    nodeId: context.nodeId,
  });
  return { info, url: artifactUrl(services, info.id) };
}

function fromDataUrl(url: string): Media {
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
  if (!match) throw new NonRetriableStepError('invalid_media_url', 'a data: URL is malformed');
  const [, type, base64, payload = ''] = match;
  const bytes = base64
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'utf8');
  return { bytes, contentType: type || undefined };
}

/**
 * Reads the media at `url`: our own artifact URLs from the store (the app's own artifacts only),
 * `data:` URLs in place, anything else over HTTP through the SSRF guard.
 */
export async function loadMedia(
  services: StepServices,
  context: StepContext,
  url: string,
): Promise<Media> {
  const artifactId = artifactIdOf(services, url);
  if (artifactId !== undefined) {
    const artifact = await readArtifact(services.artifacts, context.appId, artifactId);
    if (!artifact) {
      throw new NonRetriableStepError('media_not_found', `artifact ${artifactId} does not exist`);
    }
    return { bytes: artifact.bytes, contentType: artifact.info.contentType };
  }
  if (url.startsWith('data:')) return fromDataUrl(url);
  try {
    return await fetchBytes({
      url,
      maxBytes: MAX_MEDIA_BYTES,
      allowPrivate: services.allowPrivateNetworks,
      signal: context.signal,
    });
  } catch (error) {
    if (error instanceof OutboundUrlError) {
      throw new NonRetriableStepError(error.code, error.message);
    }
    if (error instanceof OutboundRequestError) {
      const message = `cannot read ${url}: ${error.message}`;
      if (error.code === 'http_status') {
        const lasting = error.status !== undefined && isLastingRefusal(error.status);
        throw new StepFailure('media_http_status', message, { retryable: !lasting });
      }
      // STEP_ERROR_RETRY says which stay wrong: refused addresses, oversized media.
      throw new StepFailure(`media_${error.code}`, message);
    }
    throw error;
  }
}

/**
 * A URL an outside provider can read: our artifacts need the app's key, so they travel as
 * `data:` URLs (fal and OpenAI accept them); other URLs pass through unchanged.
 */
export async function providerReadableUrl(
  services: StepServices,
  context: StepContext,
  url: string,
): Promise<string> {
  if (artifactIdOf(services, url) === undefined) return url;
  const media = await loadMedia(services, context, url);
  return `data:${media.contentType ?? 'application/octet-stream'};base64,${media.bytes.toString('base64')}`;
}
