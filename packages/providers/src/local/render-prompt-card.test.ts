import sharp from 'sharp';
import { ProviderError } from '../provider-error';
import { CARD_FOOTER, promptCardSvg, renderPromptCard } from './render-prompt-card';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return Array.from(data.subarray(at, at + 3));
}

describe('renderPromptCard', () => {
  it('returns a PNG of the requested size', async () => {
    const png = renderPromptCard('a lighthouse at dusk', { width: 320, height: 200 });
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 320, height: 200 });
  });

  it('is byte-identical for the same prompt and seed', () => {
    const options = { width: 128, height: 96, seed: 7 };
    expect(
      renderPromptCard('a red fox', options).equals(renderPromptCard('a red fox', options)),
    ).toBe(true);
  });

  it('derives the background from prompt and seed', async () => {
    const fox = renderPromptCard('a red fox', { width: 96, height: 96 });
    const owl = renderPromptCard('a snowy owl', { width: 96, height: 96 });
    const reseeded = renderPromptCard('a red fox', { width: 96, height: 96, seed: 1 });
    expect(fox.equals(owl)).toBe(false);
    expect(await pixel(fox, 0, 0)).not.toEqual(await pixel(owl, 0, 0));
    expect(await pixel(fox, 0, 0)).not.toEqual(await pixel(reseeded, 0, 0));
  });

  it('draws the prompt in white across the middle of the card', async () => {
    expect(promptCardSvg('WWWW', { width: 128, height: 128 })).toContain('>WWWW</text>');
    const { data, info } = await sharp(renderPromptCard('WWWW', { width: 128, height: 128 }))
      .extract({ left: 0, top: 54, width: 128, height: 20 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The gradient is dark (no channel above ~160); near-white pixels there are glyphs.
    const white = [];
    for (let at = 0; at < data.length; at += info.channels) {
      if (data[at]! > 230 && data[at + 1]! > 230 && data[at + 2]! > 230) white.push(at);
    }
    expect(white.length).toBeGreaterThan(50);
    const { data: edge } = await sharp(renderPromptCard('WWWW', { width: 128, height: 128 }))
      .extract({ left: 0, top: 0, width: 128, height: 20 })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(Math.max(...edge)).toBeLessThan(200);
  });

  it('escapes XML so any prompt renders', async () => {
    const prompt = `<svg onload="x"> & 'quotes' </text>\u0000\u0007`;
    const svg = promptCardSvg(prompt, { width: 256, height: 256 });
    for (const escaped of ['&lt;svg', 'onload=&quot;x&quot;&gt;', '&amp;', '&apos;quotes&apos;']) {
      expect(svg).toContain(escaped);
    }
    expect(svg).toContain('&lt;/text&gt;');
    expect(svg).not.toContain('\u0000');
    const metadata = await sharp(renderPromptCard(prompt, { width: 256, height: 256 })).metadata();
    expect(metadata.width).toBe(256);
  });

  it('says what it is in the footer, shortened on narrow cards', () => {
    expect(promptCardSvg('x', { width: 1024, height: 1024 })).toContain(CARD_FOOTER);
    const narrow = promptCardSvg('x', { width: 64, height: 256 });
    expect(narrow).not.toContain(CARD_FOOTER);
    expect(narrow).toContain('Weft local');
  });

  it('cuts very long prompts with an ellipsis and keeps wrapped lines inside the card', () => {
    const svg = promptCardSvg('lorem ipsum dolor '.repeat(200), { width: 200, height: 120 });
    const lines = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+">([^<]*)<\/text>/g)].map(
      (match) => match[1] ?? '',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[lines.length - 1]).toMatch(/…$/);
    const baselines = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)">/g)].map((m) => Number(m[1]));
    expect(Math.max(...baselines)).toBeLessThan(120);
  });

  it('breaks a word wider than the card', () => {
    const svg = promptCardSvg('x'.repeat(80), { width: 128, height: 512 });
    expect(svg.match(/>x+<\/text>/g)?.length).toBeGreaterThan(1);
  });

  it.each([
    { width: 63, height: 100 },
    { width: 100, height: 4097 },
    { width: 100.5, height: 100 },
  ])('refuses %o as invalid_input', (size) => {
    expect(() => renderPromptCard('x', size)).toThrow(ProviderError);
    expect(() => renderPromptCard('x', size)).toThrow(/from 64 to 4096/);
  });
});
