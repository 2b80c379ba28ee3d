/** What kind of media a URL in a node's result holds, as far as the result tells. */
export type MediaKind = 'image' | 'audio' | 'video';

/** A URL found in a result, with the kind its surroundings suggest. */
export interface MediaReference {
  url: string;
  /** Undefined when nothing tells (an artifact URL: its bytes' type decides). */
  kind?: MediaKind;
}

const EXTENSIONS: Record<string, MediaKind> = {
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  webp: 'image',
  gif: 'image',
  svg: 'image',
  mp3: 'audio',
  wav: 'audio',
  ogg: 'audio',
  opus: 'audio',
  flac: 'audio',
  aac: 'audio',
  m4a: 'audio',
  mp4: 'video',
  webm: 'video',
  mov: 'video',
};

function kindOfType(contentType: unknown): MediaKind | undefined {
  if (typeof contentType !== 'string') return undefined;
  const major = contentType.split('/')[0];
  return major === 'image' || major === 'audio' || major === 'video' ? major : undefined;
}

function kindOfName(name: string | undefined): MediaKind | undefined {
  if (name === undefined) return undefined;
  if (/image/i.test(name)) return 'image';
  if (/audio|speech/i.test(name)) return 'audio';
  if (/video/i.test(name)) return 'video';
  return undefined;
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\/\S+$/i.test(text);
}

/** The path of an artifact the gateway serves (`/v1/artifacts/art_…`), or undefined. */
export function artifactPath(url: string): string | undefined {
  try {
    const { pathname } = new URL(url);
    return /^\/v1\/artifacts\/[A-Za-z0-9_-]+$/.test(pathname) ? pathname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The media URLs in a result, in document order, without repeats: strings that are http(s)
 * URLs, their kind read from a sibling `content_type`, the key (`image_url`, `images[…]`,
 * `video`) or the file extension.
 */
export function findMedia(result: unknown, limit = 12): MediaReference[] {
  const found = new Map<string, MediaReference>();
  const walk = (value: unknown, context: string | undefined, depth: number) => {
    if (found.size >= limit || depth > 8) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, context, depth + 1);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      if (typeof item === 'string' && isHttpUrl(item)) {
        if (found.has(item)) continue;
        let extension: string | undefined;
        try {
          extension = new URL(item).pathname.split('.').pop()?.toLowerCase();
        } catch {
          extension = undefined;
        }
        const kind =
          kindOfType(record.content_type) ??
          kindOfName(key) ??
          (extension === undefined ? undefined : EXTENSIONS[extension]) ??
          kindOfName(context);
        found.set(item, kind === undefined ? { url: item } : { url: item, kind });
      } else {
        walk(item, key, depth + 1);
      }
    }
  };
  walk(result, undefined, 0);
  return [...found.values()];
}

/**
 * The text a result carries for people to read, when it has one where the task types put it:
 * a chat completion's message, a transcription's or a generation's `text`, a caption.
 */
export function findText(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const record = result as Record<string, unknown>;
  const choices = record.choices;
  if (Array.isArray(choices)) {
    const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message
      ?.content;
    if (typeof content === 'string') return content;
  }
  for (const key of ['text', 'caption', 'summary']) {
    if (typeof record[key] === 'string') return record[key];
  }
  return undefined;
}
