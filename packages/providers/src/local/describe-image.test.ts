import sharp from 'sharp';
import { ProviderError } from '../provider-error';
import { describeImage } from './describe-image';

type Color = { r: number; g: number; b: number; alpha?: number };

function solid(width: number, height: number, background: Color) {
  return sharp({ create: { width, height, channels: 4, background } });
}

/** Vertical stripes: each colour gets `columns` columns, left to right. */
function stripes(height: number, parts: { columns: number; color: Color }[]) {
  const width = parts.reduce((sum, part) => sum + part.columns, 0);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    let x = 0;
    for (const { columns, color } of parts) {
      for (let end = x + columns; x < end; x++) {
        data.set([color.r, color.g, color.b, color.alpha ?? 255], (y * width + x) * 4);
      }
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } });
}

const red = { r: 255, g: 0, b: 0 };
const navy = { r: 31, g: 58, b: 95 };
const orange = { r: 255, g: 136, b: 0 };

describe('describeImage', () => {
  it('describes a solid red PNG from its pixels', async () => {
    const png = await solid(100, 50, red).png().toBuffer();
    expect(await describeImage(png)).toEqual({
      width: 100,
      height: 50,
      format: 'png',
      dominant_colors: ['#ff0000'],
      tags: ['landscape', 'red'],
      caption: 'A 100×50 PNG image, mostly red (#ff0000).',
    });
  });

  it('ranks two colours by how much of the image each covers', async () => {
    const png = await stripes(80, [
      { columns: 30, color: orange },
      { columns: 70, color: navy },
    ])
      .png()
      .toBuffer();
    const description = await describeImage(png);
    expect(description.dominant_colors).toEqual(['#1f3a5f', '#ff8800']);
    expect(description.tags).toEqual(['landscape', 'blue', 'orange']);
    expect(description.caption).toBe('A 100×80 PNG image, mostly dark blue (#1f3a5f) and orange.');
  });

  it('tags brightness by perceived lightness, not by channel values', async () => {
    const tagsOf = async (color: Color) =>
      (await describeImage(await solid(20, 20, color).png().toBuffer())).tags;
    expect(await tagsOf(navy)).toEqual(['square', 'dark', 'blue']);
    expect(await tagsOf({ r: 0, g: 0, b: 255 })).toEqual(['square', 'dark', 'blue']);
    expect(await tagsOf({ r: 255, g: 230, b: 0 })).toEqual(['square', 'bright', 'yellow']);
    expect(await tagsOf(red)).toEqual(['square', 'red']);
  });

  it('reads JPEG and WebP, with colours close to the original despite compression', async () => {
    const jpeg = await solid(40, 90, { r: 30, g: 160, b: 60 }).jpeg({ quality: 90 }).toBuffer();
    const description = await describeImage(jpeg);
    expect(description).toMatchObject({ format: 'jpeg', width: 40, height: 90 });
    expect(description.tags).toEqual(expect.arrayContaining(['portrait', 'green']));
    expect(description.caption).toMatch(/^A 40×90 JPEG image, mostly green \(#[0-9a-f]{6}\)\.$/);

    const webp = await solid(64, 64, red).webp().toBuffer();
    expect(await describeImage(webp)).toMatchObject({ format: 'webp', tags: ['square', 'red'] });
  });

  it('tags transparency and ignores transparent pixels when ranking colours', async () => {
    const png = await stripes(50, [
      { columns: 80, color: { r: 0, g: 0, b: 0, alpha: 0 } },
      { columns: 20, color: { r: 250, g: 250, b: 250 } },
    ])
      .png()
      .toBuffer();
    const description = await describeImage(png);
    expect(description.dominant_colors).toEqual(['#fafafa']);
    expect(description.tags).toEqual(['landscape', 'bright', 'transparent', 'white']);
    expect(description.caption).toBe(
      'A 100×50 PNG image with transparency, mostly white (#fafafa).',
    );
  });

  it('says so when nothing is opaque', async () => {
    const png = await solid(8, 8, { r: 0, g: 0, b: 0, alpha: 0 }).png().toBuffer();
    const description = await describeImage(png);
    expect(description.dominant_colors).toEqual([]);
    expect(description.caption).toBe('A 8×8 PNG image, fully transparent.');
  });

  it('reads greyscale images as gray', async () => {
    const png = await sharp(Buffer.alloc(30 * 30, 128), {
      raw: { width: 30, height: 30, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);
    const description = await describeImage(png);
    expect(description.dominant_colors).toEqual(['#808080']);
    expect(description.tags).toEqual(['square', 'gray']);
  });

  it('reports the size as displayed when EXIF says the photo is rotated', async () => {
    const jpeg = await solid(100, 50, red).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await describeImage(jpeg)).toMatchObject({ width: 50, height: 100 });
  });

  it('tags animated GIFs', async () => {
    // Two different frames: the encoder merges identical ones into a still image.
    const frames = Buffer.alloc(16 * 32 * 3, 200).fill(20, 16 * 16 * 3);
    const gif = await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } })
      .gif()
      .toBuffer();
    const description = await describeImage(gif);
    expect(description.tags).toContain('animated');
    expect(description.caption).toMatch(/^A 16×16 animated GIF image/);
  });

  it.each([
    ['garbage', Buffer.from('definitely not an image')],
    ['empty', Buffer.alloc(0)],
    ['a truncated PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
  ])('refuses %s as invalid_image, not retryable', async (_name, bytes) => {
    const failure = describeImage(bytes);
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toMatchObject({ code: 'invalid_image', retryable: false });
  });
});
