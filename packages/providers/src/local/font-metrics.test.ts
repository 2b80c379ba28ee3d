import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, FONT_FILE, glyphFor, textWidth } from './font-metrics';

describe('textWidth', () => {
  it('reads real advances: wide letters are wider, width scales with the font size', () => {
    expect(textWidth('m', 100)).toBeGreaterThan(2 * textWidth('i', 100));
    expect(textWidth('hello', 30)).toBeCloseTo(3 * textWidth('hello', 10), 9);
    expect(textWidth('', 100)).toBe(0);
  });

  it('agrees with what resvg draws', () => {
    const text = 'Weft renders cards';
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="200"><text x="0" y="150" font-size="100">${text}</text></svg>`;
    const box = new Resvg(svg, {
      font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    }).getBBox();
    // The ink box sits inside the advance box, less side bearings at both ends.
    expect(box).toBeDefined();
    const measured = textWidth(text, 100);
    expect(box!.x + box!.width).toBeLessThanOrEqual(measured);
    expect(box!.x + box!.width).toBeGreaterThan(measured * 0.95);
  });

  it('maps characters outside the font to the missing-glyph box, and emoji past the BMP', () => {
    expect(glyphFor('A'.codePointAt(0)!)).toBeGreaterThan(0);
    expect(glyphFor(0x4f60)).toBe(0); // 你: DejaVu Sans has no CJK
    expect(glyphFor(0x1f600)).toBeGreaterThan(0); // 😀
  });
});
