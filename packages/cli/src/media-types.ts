import { extname } from 'node:path';

/**
 * The media type of a file by its extension, for uploads whose `--content-type` is not given:
 * the kinds of output AI steps make and take. Anything else is `application/octet-stream`.
 */
export const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.zip': 'application/zip',
};

/** What a file with no known extension is stored as. */
export const FALLBACK_MEDIA_TYPE = 'application/octet-stream';

/** The media type of `fileName` by its extension (case does not matter). */
export function mediaTypeOf(fileName: string): string {
  return MEDIA_TYPES_BY_EXTENSION[extname(fileName).toLowerCase()] ?? FALLBACK_MEDIA_TYPE;
}
