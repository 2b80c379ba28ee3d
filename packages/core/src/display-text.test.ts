import { isDisplayName, isDisplayText } from './display-text';

describe('display text', () => {
  it('accepts names in any script, right-to-left marks included', () => {
    for (const name of [
      'Daily digest',
      'Résumé – v2',
      '日本語のフロー',
      'تقرير\u200F يومي',
      '🚀 launch',
    ]) {
      expect([name, isDisplayName(name)]).toEqual([name, true]);
    }
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC (a terminal escape)', 'a\u001b[31mred'],
    ['a line break in a name', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u009bb'],
    ['RIGHT-TO-LEFT OVERRIDE', 'invoice\u202Efdp.exe'],
    ['LEFT-TO-RIGHT EMBEDDING', 'a\u202Ab'],
    ['FIRST STRONG ISOLATE', 'a\u2068b'],
    ['POP DIRECTIONAL ISOLATE', 'a\u2069b'],
  ])('refuses %s in a name', (_what, name) => {
    expect(isDisplayName(name)).toBe(false);
  });

  it('lets descriptions have tabs and line breaks, and nothing else of the kind', () => {
    expect(isDisplayText('line one\r\n\tline two')).toBe(true);
    expect(isDisplayText('a\u0000b')).toBe(false);
    expect(isDisplayText('a\u001bb')).toBe(false);
    expect(isDisplayText('a\u202Eb')).toBe(false);
  });
});
