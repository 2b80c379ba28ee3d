import { fnv1a } from './fnv1a';

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes, so non-ASCII text is stable too', () => {
    expect(fnv1a('café')).toBe(fnv1a('café'));
    expect(fnv1a('café')).not.toBe(fnv1a('cafe'));
    expect(fnv1a('😀')).toBeGreaterThanOrEqual(0);
  });
});
