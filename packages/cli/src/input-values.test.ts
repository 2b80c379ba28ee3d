import { UsageError } from './command';
import { buildRunInput, coerceInputValue, parseInputPair } from './input-values';

describe('coerceInputValue', () => {
  it.each([
    ['a sunset', 'a sunset'],
    ['', ''],
    ['42', 42],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['0', 0],
    ['007', '007'],
    ['12345678901234567890', '12345678901234567890'],
    ['1.', '1.'],
    ['true', true],
    ['false', false],
    ['null', null],
    ['True', 'True'],
    ['{"a":[1,2]}', { a: [1, 2] }],
    ['[1,"x"]', [1, 'x']],
    ['"42"', '42'],
    ['[draft] a title', '[draft] a title'],
    ['{not json', '{not json'],
    ['"', '"'],
    ['256x192', '256x192'],
  ])('%p → %p', (text, value) => {
    expect(coerceInputValue(text)).toEqual(value);
  });
});

describe('parseInputPair', () => {
  it('splits at the first =, so values may hold =', () => {
    expect(parseInputPair('query=a=b')).toEqual(['query', 'a=b']);
    expect(parseInputPair('prompt=a sunset')).toEqual(['prompt', 'a sunset']);
  });

  it('takes key:=json as JSON, strictly', () => {
    expect(parseInputPair('count:=3')).toEqual(['count', 3]);
    expect(parseInputPair('tags:=["a","b"]')).toEqual(['tags', ['a', 'b']]);
    expect(() => parseInputPair('tags:=[oops')).toThrow(/needs JSON/);
  });

  it.each(['novalue', '=x', ':=1'])('refuses %p as a usage error', (argument) => {
    expect(() => parseInputPair(argument)).toThrow(UsageError);
  });
});

describe('buildRunInput', () => {
  it('merges --input-json and --input pairs, pairs and later pairs winning', () => {
    expect(
      buildRunInput(['size=64x48', 'n=2', 'n=3'], '{"prompt":"from json","size":"1x1"}'),
    ).toEqual({ prompt: 'from json', size: '64x48', n: 3 });
    expect(buildRunInput([], undefined)).toEqual({});
  });

  it('keeps a __proto__ key as data, for the API to refuse', () => {
    const input = buildRunInput(['__proto__=x'], undefined);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.keys(input)).toEqual(['__proto__']);
  });

  it.each([
    ['not json', /not JSON/],
    ['[1]', /must be a JSON object/],
    ['null', /must be a JSON object/],
  ])('refuses --input-json %p', (json, message) => {
    expect(() => buildRunInput([], json)).toThrow(message);
  });
});
