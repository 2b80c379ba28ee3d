import fc from 'fast-check';

/**
 * fast-check arbitraries of hostile request material for fuzzing the HTTP API: strings that break
 * parsers, paths and logs; MongoDB query operators; prototype keys; wrong types; deep nesting and
 * large arrays. Objects with a `__proto__` key get it as an own property (as JSON.parse makes it),
 * so JSON.stringify sends it.
 */

/** Keys that reach an object's prototype machinery in careless code. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** MongoDB operator objects: a query built from a body with one of these selects too much. */
export const MONGO_OPERATORS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: '1' },
  { $regex: '.*' },
  { $in: [] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $set: { appId: 'app_other' } },
];

/** Strings that have broken parsers, paths, templates, logs or databases somewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\ufeff{}',
  '\u202e',
  '𝕳𝖊𝖑𝖑𝖔',
  '../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '%',
  '%zz',
  '${input.x}',
  '${nodes.__proto__.result}',
  '${',
  '{{7*7}}',
  '<script>alert(1)</script>',
  "'; DROP TABLE runs; --",
  '{"$gt": ""}',
  '$where',
  'a.b',
  '__proto__',
  'constructor',
  'run',
  'runs',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'run_',
  'wf_0000000000000000000000',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  'x'.repeat(5000),
];

/** A string: a hostile one, or any unicode string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Numbers that are valid JSON yet edge cases: huge, tiny, negative zero, non-integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 0.5, 1_000_000_001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** An object with `key` as an own, enumerable property, even when it is `__proto__`. */
export function withOwnKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

/** `{"a": {"a": … 1}}` or `[[[… ]]]`, `depth` levels deep. */
export function nested(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value];
  return value;
}

/** One hostile JSON value: an operator, a prototype trap, a wrong type, deep or wide. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MONGO_OPERATORS) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 }))
      .map(([key, value]) => withOwnKey({}, key, value)),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], [{}]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 33, max: 400 }),
        fc.constantFrom('object' as const, 'array' as const),
      )
      .map(([depth, kind]) => nested(depth, kind)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1_000, max: 20_000 })
      .map((length) => Array.from({ length }, (_, i) => i)),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Where a value sits in a JSON document: object keys and array indexes, from the root. */
export type JsonPath = (string | number)[];

/** Every path in `value` (the root `[]` included), depth first. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

/** A deep copy of `value` with the value at `path` replaced by `replacement`. */
export function replaceAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...JsonPath];
  if (Array.isArray(value)) {
    return (value as unknown[]).map((item, i) =>
      i === head ? replaceAt(item, rest, replacement) : item,
    );
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    withOwnKey(copy, key, key === head ? replaceAt(item, rest, replacement) : item);
  }
  return copy;
}

/** A deep copy of `value` with `key: extra` added to the object at `path` (if it is one). */
export function addKeyAt(value: unknown, path: JsonPath, key: string, extra: unknown): unknown {
  const target = path.reduce<unknown>(
    (current, segment) => (current as Record<string | number, unknown>)[segment],
    value,
  );
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return value;
  const copy: Record<string, unknown> = {};
  for (const [existing, item] of Object.entries(target)) withOwnKey(copy, existing, item);
  return replaceAt(value, path, withOwnKey(copy, key, extra));
}

/**
 * A mutation of `seed`, a valid body: one to three of replacing a value anywhere (the root
 * included) with a hostile one, adding a hostile key (a prototype key or an operator) to an
 * object anywhere, or leaving a property out.
 */
export function mutatedBody(seed: unknown): fc.Arbitrary<unknown> {
  const mutation = (value: unknown): fc.Arbitrary<unknown> => {
    const paths = pathsOf(value);
    const inner = paths.filter((path) => path.length > 0);
    const mutations: fc.Arbitrary<unknown>[] = [
      fc
        .tuple(fc.constantFrom(...paths), hostileValue)
        .map(([path, replacement]) => replaceAt(value, path, replacement)),
      fc
        .tuple(
          fc.constantFrom(...paths),
          fc.constantFrom(...PROTOTYPE_KEYS, '$where', '$gt', '$set', 'a.b', ''),
          hostileValue,
        )
        .map(([path, key, extra]) => addKeyAt(value, path, key, extra)),
    ];
    if (inner.length === 0) return fc.oneof(...mutations);
    return fc.oneof(
      ...mutations,
      fc.constantFrom(...inner).map((path) => {
        const parent = path.slice(0, -1);
        const last = path[path.length - 1] as string | number;
        const holder = parent.reduce<unknown>(
          (current, segment) => (current as Record<string | number, unknown>)[segment],
          value,
        );
        if (Array.isArray(holder)) {
          return replaceAt(
            value,
            parent,
            holder.filter((_, i) => i !== last),
          );
        }
        const copy: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(holder as Record<string, unknown>)) {
          if (key !== last) withOwnKey(copy, key, item);
        }
        return replaceAt(value, parent, copy);
      }),
    );
  };
  return fc
    .integer({ min: 1, max: 3 })
    .chain((times) =>
      Array.from({ length: times - 1 }).reduce<fc.Arbitrary<unknown>>(
        (arbitrary) => arbitrary.chain(mutation),
        mutation(seed),
      ),
    );
}

/** Bodies that are not JSON objects at all: broken JSON, other types, other encodings. */
export const RAW_BODIES: readonly string[] = [
  '{',
  '[1,',
  '{"a":1}garbage',
  '{"a":1,}',
  "{'a': 1}",
  'null',
  'true',
  '"text"',
  '1e999',
  'NaN',
  '[]',
  '\ufeff{}',
  '\u0000',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"a": 1, "a": 2}',
];
