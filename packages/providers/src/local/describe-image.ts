import sharp from 'sharp';
import { ProviderError } from '../provider-error';
import { colorFamily, colorName, type Rgb, toHex } from './color-names';

/** What describeImage can tell from the pixels alone. */
export interface ImageDescription {
  width: number;
  height: number;
  /** The decoder's name: png, jpeg, webp, gif, avif, svg, tiff, … */
  format: string;
  /** Up to 5 `#rrggbb` colours, most common first; empty for a fully transparent image. */
  dominant_colors: string[];
  /** Facts, not guesses: orientation, brightness, transparency, animation, colour families. */
  tags: string[];
  /** One plain sentence built from the facts above. */
  caption: string;
}

/** Side of the square the image is sampled down to: 4096 pixels is plenty to rank colours. */
const SAMPLE_SIDE = 64;
/** Colours closer than this (RGB distance) count as one, so a gradient is not five blues. */
const MERGE_DISTANCE = 48;
/** A colour must cover this share of the opaque pixels to be called dominant. */
const MIN_SHARE = 0.02;
const MAX_COLORS = 5;

const FORMAT_LABELS: Readonly<Record<string, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  svg: 'SVG',
  tiff: 'TIFF',
  avif: 'AVIF',
  heif: 'HEIF',
};

/**
 * Describes an image from its bytes: size and format from the header, dominant colours and tags
 * from sampled pixels. Bytes no decoder accepts throw a non-retryable `invalid_image`.
 */
export async function describeImage(bytes: Buffer): Promise<ImageDescription> {
  try {
    return await describe(bytes);
  } catch (error) {
    throw new ProviderError(
      'invalid_image',
      `The bytes are not an image that can be read (${(error as Error).message}).`,
      { cause: error },
    );
  }
}

async function describe(bytes: Buffer): Promise<ImageDescription> {
  const metadata = await sharp(bytes).metadata();
  // Phones store photos sideways plus an EXIF rotation; describe the picture as it is seen.
  const { width, height } = metadata.autoOrient;
  const format =
    metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format;

  const { data } = await sharp(bytes)
    .autoOrient()
    // Nearest neighbour samples real pixels; averaging would invent colours at every edge.
    .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'fill', kernel: 'nearest' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const transparent = metadata.hasAlpha && !(await sharp(bytes).stats()).isOpaque;
  const animated = (metadata.pages ?? 1) > 1 && (format === 'gif' || format === 'webp');

  const opaque: Rgb[] = [];
  for (let at = 0; at + 3 < data.length; at += 4) {
    if (data[at + 3]! >= 128) opaque.push({ r: data[at]!, g: data[at + 1]!, b: data[at + 2]! });
  }
  const colors = dominantColors(opaque);

  const tags: string[] = [width > height ? 'landscape' : width < height ? 'portrait' : 'square'];
  const brightness = meanLightness(opaque);
  if (brightness !== undefined && brightness < 0.35) tags.push('dark');
  if (brightness !== undefined && brightness > 0.65) tags.push('bright');
  if (transparent) tags.push('transparent');
  if (animated) tags.push('animated');
  for (const color of colors) {
    const family = colorFamily(color);
    if (!tags.includes(family)) tags.push(family);
  }

  const label = FORMAT_LABELS[format] ?? format.toUpperCase();
  const kind = `A ${width}×${height} ${animated ? 'animated ' : ''}${label} image`;
  return {
    width,
    height,
    format,
    dominant_colors: colors.map(toHex),
    tags,
    caption: `${kind}${transparent && colors.length > 0 ? ' with transparency' : ''}, ${colorPhrase(colors)}.`,
  };
}

/**
 * Buckets pixels by the top 3 bits of each channel, takes each bucket's mean colour, folds
 * near-identical buckets into the larger one and keeps the most common few.
 */
function dominantColors(pixels: readonly Rgb[]): Rgb[] {
  const buckets = new Map<number, { count: number; r: number; g: number; b: number }>();
  for (const { r, g, b } of pixels) {
    const key = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
    const bucket = buckets.get(key) ?? { count: 0, r: 0, g: 0, b: 0 };
    bucket.count += 1;
    bucket.r += r;
    bucket.g += g;
    bucket.b += b;
    buckets.set(key, bucket);
  }
  const ranked = [...buckets.entries()]
    .sort(([keyA, a], [keyB, b]) => b.count - a.count || keyA - keyB)
    .map(([, bucket]) => ({
      count: bucket.count,
      color: {
        r: Math.round(bucket.r / bucket.count),
        g: Math.round(bucket.g / bucket.count),
        b: Math.round(bucket.b / bucket.count),
      },
    }));

  const kept: { count: number; color: Rgb }[] = [];
  for (const candidate of ranked) {
    const near = kept.find((other) => distance(other.color, candidate.color) < MERGE_DISTANCE);
    if (near === undefined) kept.push({ ...candidate });
    else near.count += candidate.count;
  }
  return kept
    .filter(({ count }) => count >= pixels.length * MIN_SHARE)
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_COLORS)
    .map(({ color }) => color);
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a.r - b.r, a.g - b.g, a.b - b.b);
}

/**
 * Mean CIE lightness (L*) of the pixels, 0..1: perceptual, so pure red (0.53) is neither dark nor
 * bright while navy (0.24) is dark, which a plain average of channel values gets wrong.
 */
function meanLightness(pixels: readonly Rgb[]): number | undefined {
  if (pixels.length === 0) return undefined;
  let sum = 0;
  for (const { r, g, b } of pixels) {
    const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    sum +=
      luminance > 216 / 24389 ? 1.16 * Math.cbrt(luminance) - 0.16 : (luminance * 24389) / 2700;
  }
  return sum / pixels.length;
}

/** An sRGB channel (0..255) as linear light (0..1). */
function linear(channel: number): number {
  const value = channel / 255;
  return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
}

function colorPhrase(colors: readonly Rgb[]): string {
  const [first, second] = colors;
  if (first === undefined) return 'fully transparent';
  const lead = `mostly ${colorName(first)} (${toHex(first)})`;
  if (second === undefined || colorName(second) === colorName(first)) return lead;
  return `${lead} and ${colorName(second)}`;
}
