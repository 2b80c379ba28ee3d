import { Resvg } from '@resvg/resvg-js';
import { ProviderError } from '../provider-error';
import { fnv1a } from './fnv1a';
import { FONT_FAMILY, FONT_FILE, textWidth } from './font-metrics';

/** Options of renderPromptCard. */
export interface PromptCardOptions {
  /** Width in pixels, an integer from 64 to 4096. */
  width: number;
  /** Height in pixels, an integer from 64 to 4096. */
  height: number;
  /** Picks other colours for the same prompt, like a model's seed would; default 0. */
  seed?: number;
}

/** Smallest and largest card side in pixels, the same bounds as the image tasks' sizes. */
export const CARD_SIDE_LIMITS = Object.freeze({ min: 64, max: 4096 });

/** What every card says about itself, so nobody mistakes it for a model's picture. */
export const CARD_FOOTER = 'Weft local provider · rendered, not generated';

/** Shorter footers for narrow cards, most informative first; the last always fits. */
const FOOTER_FALLBACKS = [CARD_FOOTER, 'Weft local · rendered, not generated', 'Weft local'];

/** Prompts longer than this (in characters) are cut; no card could show more legibly anyway. */
const MAX_PROMPT_CHARACTERS = 600;
const ELLIPSIS = '…';
const LINE_HEIGHT = 1.25;

/**
 * A PNG card showing the prompt over a gradient whose colours come from a hash of prompt and
 * seed, with a footer saying it was rendered, not generated. Same inputs, same bytes.
 */
export function renderPromptCard(prompt: string, options: PromptCardOptions): Buffer {
  return new Resvg(promptCardSvg(prompt, options), {
    fitTo: { mode: 'original' },
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    logLevel: 'error',
  })
    .render()
    .asPng();
}

/** The SVG source of renderPromptCard's PNG; throws `invalid_input` for sizes out of bounds. */
export function promptCardSvg(prompt: string, options: PromptCardOptions): string {
  const width = checkSide('width', options.width);
  const height = checkSide('height', options.height);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new ProviderError('invalid_input', `seed must be an integer, got ${seed}`);
  }
  return cardSvg(prompt, width, height, seed);
}

function checkSide(name: string, value: number): number {
  if (!Number.isInteger(value) || value < CARD_SIDE_LIMITS.min || value > CARD_SIDE_LIMITS.max) {
    throw new ProviderError(
      'invalid_input',
      `${name} must be an integer from ${CARD_SIDE_LIMITS.min} to ${CARD_SIDE_LIMITS.max}, got ${value}`,
    );
  }
  return value;
}

function cardSvg(prompt: string, width: number, height: number, seed: number): string {
  const [from, to] = gradientColors(fnv1a(`${seed}\u0000${prompt}`));
  const short = Math.min(width, height);
  const padding = short * 0.08;
  const innerWidth = width - 2 * padding;

  const footer = fitFooter(innerWidth, Math.max(6, short * 0.028));
  const footerBaseline = height - padding;
  const area = {
    top: padding,
    bottom: footerBaseline - footer.size * 2,
  };
  const block = layoutPrompt(displayText(prompt), innerWidth, area.bottom - area.top, short);
  const blockTop = area.top + (area.bottom - area.top - block.lines.length * block.lineHeight) / 2;
  const centre = width / 2;

  const lines = block.lines.map((line, index) => {
    const baseline = blockTop + index * block.lineHeight + block.fontSize * 0.95;
    return `<text x="${px(centre)}" y="${px(baseline)}">${escapeXml(line)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">',
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/>`,
    '</linearGradient></defs>',
    `<rect width="${width}" height="${height}" fill="url(#bg)"/>`,
    `<g font-family="${FONT_FAMILY}" font-size="${px(block.fontSize)}" fill="#ffffff" text-anchor="middle">`,
    ...lines,
    '</g>',
    `<text x="${px(centre)}" y="${px(footerBaseline)}" font-family="${FONT_FAMILY}" font-size="${px(footer.size)}" fill="#ffffff" fill-opacity="0.7" text-anchor="middle">${escapeXml(footer.text)}</text>`,
    '</svg>',
  ].join('\n');
}

/** Two dark, saturated colours (white text stays readable on both) picked by the hash's bits. */
function gradientColors(hash: number): [string, string] {
  const hue = hash % 360;
  const otherHue = (hue + 40 + ((hash >>> 9) % 140)) % 360;
  const saturation = 0.45 + ((hash >>> 17) % 31) / 100;
  const lightness = 0.22 + ((hash >>> 24) % 13) / 100;
  return [hslToHex(hue, saturation, lightness), hslToHex(otherHue, saturation, lightness - 0.06)];
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (offset: number): string => {
    const k = (offset + hue / 30) % 12;
    const value = lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** The prompt as one line of text: whitespace collapsed, cut to MAX_PROMPT_CHARACTERS. */
function displayText(prompt: string): string {
  const text = prompt
    // Control characters are not allowed in XML at all; lone surrogates cannot be encoded.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return '(empty prompt)';
  const characters = Array.from(text);
  if (characters.length <= MAX_PROMPT_CHARACTERS) return text;
  return (
    characters
      .slice(0, MAX_PROMPT_CHARACTERS - 1)
      .join('')
      .trimEnd() + ELLIPSIS
  );
}

interface TextBlock {
  lines: string[];
  fontSize: number;
  lineHeight: number;
}

/**
 * The largest font size (down to a legible minimum) at which the wrapped prompt fits the area;
 * at the minimum, the lines that fit, the last one ending in an ellipsis.
 */
function layoutPrompt(
  text: string,
  maxWidth: number,
  maxHeight: number,
  shortSide: number,
): TextBlock {
  const minSize = Math.max(7, shortSide / 40);
  let fontSize = Math.max(minSize, shortSide / 9);
  for (;;) {
    const lineHeight = fontSize * LINE_HEIGHT;
    const lines = wrap(text, maxWidth, fontSize);
    const capacity = Math.max(1, Math.floor(maxHeight / lineHeight));
    if (lines.length <= capacity) return { lines, fontSize, lineHeight };
    if (fontSize <= minSize) {
      const kept = lines.slice(0, capacity);
      kept[capacity - 1] = withEllipsis(kept[capacity - 1] ?? '', maxWidth, fontSize);
      return { lines: kept, fontSize, lineHeight };
    }
    fontSize = Math.max(minSize, fontSize * 0.9);
  }
}

/** Greedy word wrap; a word wider than a line is broken between characters. */
function wrap(text: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textWidth(candidate, fontSize) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    for (const character of word) {
      if (line !== '' && textWidth(line + character, fontSize) > maxWidth) {
        lines.push(line);
        line = '';
      }
      line += character;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function withEllipsis(line: string, maxWidth: number, fontSize: number): string {
  const characters = Array.from(line);
  while (characters.length > 0 && textWidth(characters.join('') + ELLIPSIS, fontSize) > maxWidth) {
    characters.pop();
  }
  return characters.join('').trimEnd() + ELLIPSIS;
}

function fitFooter(maxWidth: number, preferredSize: number): { text: string; size: number } {
  for (const text of FOOTER_FALLBACKS) {
    if (textWidth(text, preferredSize) <= maxWidth) return { text, size: preferredSize };
  }
  const text = FOOTER_FALLBACKS[FOOTER_FALLBACKS.length - 1]!;
  return { text, size: (preferredSize * maxWidth) / textWidth(text, preferredSize) };
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Coordinates with two decimals: enough for anti-aliasing, short and stable in the SVG. */
function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}
