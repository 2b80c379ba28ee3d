import { jsonEqual, toJsonValue, utf8ByteLength } from './json-value';

const limits = { maxDepth: 5, maxBytes: 1000, maxStringLength: 100, maxKeyLength: 10 };

describe('toJsonValue', () => {
  it('copies plain JSON and keeps __proto__ as an own key', () => {
    const raw = JSON.parse('{"a": [1, "x", null, true], "__proto__": {"b": 1}}') as unknown;
    const copy = toJsonValue(raw, limits);
    expect(copy.ok).toBe(true);
    if (copy.ok) {
      expect(jsonEqual(copy.value, raw)).toBe(true);
      expect(Object.getPrototypeOf(copy.value)).toBe(Object.prototype);
    }
  });

  it.each([
    [{ a: { b: { c: { d: { e: { f: 1 } } } } } }, 'nested deeper'],
    [{ s: 'x'.repeat(101) }, 'longer than 100'],
    [{ ['k'.repeat(11)]: 1 }, 'key longer'],
    [Array.from({ length: 200 }, () => 'abcdefgh'), 'larger than'],
    [{ n: NaN }, 'finite'],
    [{ d: new Date(0) }, 'plain JSON object'],
  ])('refuses %p', (value, why) => {
    const copy = toJsonValue(value, limits);
    expect(copy.ok).toBe(false);
    if (!copy.ok) expect(copy.message).toContain(why);
  });

  it('refuses holes in arrays', () => {
    const holey: number[] = [];
    holey[0] = 1;
    holey[2] = 3;
    expect(toJsonValue(holey, limits)).toMatchObject({ ok: false, path: '/1' });
  });

  it('drops undefined members as JSON.stringify would', () => {
    expect(toJsonValue({ a: undefined, b: 1 }, limits)).toMatchObject({
      ok: true,
      value: { b: 1 },
    });
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8ByteLength('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});
