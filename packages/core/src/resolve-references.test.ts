import fc from 'fast-check';
import { resolveInputs, type ReferenceScope } from './resolve-references';

const scope: ReferenceScope = {
  input: { prompt: 'a cat', count: 3, flags: { hd: true }, empty: null },
  nodes: {
    gen: {
      result: { images: [{ url: 'https://x/1.png', width: 1024 }], meta: { tags: ['a', 'b'] } },
    },
    chat: { result: { choices: [{ message: { content: 'Hello' } }] } },
  },
};

describe('resolveInputs', () => {
  it('keeps the type of a string that is exactly one reference', () => {
    expect(
      resolveInputs(
        {
          n: '${input.count}',
          flags: '${input.flags}',
          width: '${nodes.gen.result.images[0].width}',
          tags: '${nodes.gen.result.meta.tags}',
          empty: '${input.empty}',
          whole: '${nodes.chat.result}',
        },
        scope,
      ),
    ).toEqual({
      ok: true,
      value: {
        n: 3,
        flags: { hd: true },
        width: 1024,
        tags: ['a', 'b'],
        empty: null,
        whole: { choices: [{ message: { content: 'Hello' } }] },
      },
    });
  });

  it('interpolates references inside longer strings, objects as JSON', () => {
    expect(
      resolveInputs(
        {
          text: '${input.prompt} x${input.count} ${input.flags} ${nodes.chat.result.choices[0].message.content}!',
        },
        scope,
      ),
    ).toEqual({ ok: true, value: { text: 'a cat x3 {"hd":true} Hello!' } });
  });

  it('walks nested arrays and objects and leaves literals alone', () => {
    expect(
      resolveInputs(
        { messages: [{ role: 'user', content: '${input.prompt}' }], n: 1, b: false, z: null },
        scope,
      ),
    ).toEqual({
      ok: true,
      value: { messages: [{ role: 'user', content: 'a cat' }], n: 1, b: false, z: null },
    });
  });

  it.each([
    ['${input.missing}', 'no input "missing"'],
    ['${nodes.later.result.text}', 'has no result'],
    ['${nodes.gen.result.images[1].url}', 'no value at this path'],
    ['${nodes.gen.result.images.length}', 'no value at this path'],
    ['${nodes.gen.result.meta.toString}', 'no value at this path'],
    ['${nodes.gen.result.meta.hasOwnProperty}', 'no value at this path'],
    ['x ${input.prompt.length} y', 'no value at this path'],
  ])('refuses %s with a clear error instead of undefined', (text, why) => {
    const result = resolveInputs({ field: { nested: text } }, scope);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unresolved_reference');
      expect(result.error.message).toContain(why);
      expect(result.error.pointer).toBe('/field/nested');
    }
  });

  it('refuses malformed and forbidden references', () => {
    const malformed = resolveInputs({ a: '${nodes.gen}' }, scope);
    expect(malformed.ok || malformed.error.code).toBe('malformed_reference');
    const forbidden = resolveInputs({ a: '${input.constructor}' }, scope);
    expect(forbidden.ok || forbidden.error.code).toBe('forbidden_path_segment');
  });

  it('never reads inherited properties', () => {
    const inherited: ReferenceScope = {
      input: Object.create({ secret: 'inherited' }) as Record<string, unknown>,
      nodes: {},
    };
    expect(resolveInputs('${input.secret}', inherited).ok).toBe(false);
  });

  it('keeps __proto__ keys as own data and refuses cyclic inputs', () => {
    const inputs = JSON.parse('{"__proto__": {"polluted": "${input.prompt}"}}') as unknown;
    const result = resolveInputs<Record<string, unknown>>(inputs, scope);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
      expect(Object.hasOwn(result.value, '__proto__')).toBe(true);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(resolveInputs(cyclic, scope)).toMatchObject({
      ok: false,
      error: { code: 'invalid_inputs' },
    });
  });

  it('never throws on arbitrary inputs and scopes', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (inputs, input, nodes) => {
        const result = resolveInputs(inputs, { input, nodes } as unknown as ReferenceScope);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });
});
