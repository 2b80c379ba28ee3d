import { readFileSync } from 'node:fs';

/**
 * The one font the local provider renders with. Shipped as a package, never looked up on the
 * system, so a card looks the same on every machine.
 */
export const FONT_FILE: string = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

/** The family name inside FONT_FILE, as SVG `font-family` and resvg's default family. */
export const FONT_FAMILY = 'DejaVu Sans';

interface AdvanceWidths {
  /** Advance of each glyph, in em. */
  readonly glyphAdvance: Float64Array;
  /** Code point → glyph id, as [first, last, firstGlyph] ranges sorted by first. */
  readonly ranges: readonly (readonly [number, number, number])[];
}

let cached: AdvanceWidths | undefined;

/**
 * Reads glyph advances straight from the font (hhea, hmtx, cmap format 12), so word wrapping
 * measures what resvg will draw instead of guessing an average character width.
 */
function advanceWidths(): AdvanceWidths {
  if (cached !== undefined) return cached;
  const font = readFileSync(FONT_FILE);
  const tables = new Map<string, number>();
  const tableCount = font.readUInt16BE(4);
  for (let index = 0; index < tableCount; index++) {
    const record = 12 + index * 16;
    tables.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${FONT_FILE} has no ${tag} table`);
    return offset;
  };

  const unitsPerEm = font.readUInt16BE(table('head') + 18);
  const metricCount = font.readUInt16BE(table('hhea') + 34);
  const glyphCount = font.readUInt16BE(table('maxp') + 4);
  const hmtx = table('hmtx');
  const glyphAdvance = new Float64Array(glyphCount);
  for (let glyph = 0; glyph < glyphCount; glyph++) {
    // Glyphs past metricCount share the last advance (monospaced tail of the table).
    const metric = Math.min(glyph, metricCount - 1);
    glyphAdvance[glyph] = font.readUInt16BE(hmtx + metric * 4) / unitsPerEm;
  }

  const cmap = table('cmap');
  const ranges: [number, number, number][] = [];
  const subtableCount = font.readUInt16BE(cmap + 2);
  for (let index = 0; index < subtableCount; index++) {
    const record = cmap + 4 + index * 8;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const subtable = cmap + font.readUInt32BE(record + 4);
    // Windows full-Unicode map: the only one that reaches past the BMP (emoji, symbols).
    if (platform !== 3 || encoding !== 10 || font.readUInt16BE(subtable) !== 12) continue;
    const groupCount = font.readUInt32BE(subtable + 12);
    for (let group = 0; group < groupCount; group++) {
      const at = subtable + 16 + group * 12;
      ranges.push([font.readUInt32BE(at), font.readUInt32BE(at + 4), font.readUInt32BE(at + 8)]);
    }
  }
  if (ranges.length === 0) throw new Error(`${FONT_FILE} has no Unicode cmap (format 12)`);
  ranges.sort((a, b) => a[0] - b[0]);
  cached = { glyphAdvance, ranges };
  return cached;
}

/** The glyph the font draws for a code point; 0 (the "missing" box) when it has none. */
export function glyphFor(codePoint: number): number {
  const { ranges } = advanceWidths();
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last, firstGlyph] = ranges[middle]!;
    if (codePoint < first) high = middle - 1;
    else if (codePoint > last) low = middle + 1;
    else return firstGlyph + (codePoint - first);
  }
  return 0;
}

/**
 * Width of `text` set in FONT_FAMILY at `fontSize` px: the sum of advances, ignoring kerning
 * (which only narrows text, so wrapping by this width never overflows).
 */
export function textWidth(text: string, fontSize: number): number {
  const { glyphAdvance } = advanceWidths();
  let ems = 0;
  for (const character of text) {
    ems += glyphAdvance[glyphFor(character.codePointAt(0)!)] ?? 0;
  }
  return ems * fontSize;
}
