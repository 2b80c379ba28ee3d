import type { JsonType } from '@weft/contract';

/** Any value JSON can carry. Definitions, run input and step results are all of this shape. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The JSON Schema type names, as used by task schemas and input parameter types. */
export type { JsonType };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * True for `{...}` objects (prototype null or a realm's Object.prototype, so objects from another
 * realm such as a vm context count); false for arrays, dates, maps and class instances.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Sets an own data property, even for the key `__proto__`, where plain assignment would replace
 * the object's prototype instead.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** Reads an own property only: never a value inherited from the prototype chain. */
export function getOwn(target: object, key: string): unknown {
  return Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}

/** The JSON type of a value as JSON Schema names it (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): JsonType | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return undefined;
}

/** Number of bytes `text` takes in UTF-8, without needing Buffer or TextEncoder allocations. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Size of a JSON value serialized with JSON.stringify, in UTF-8 bytes. */
export function jsonByteLength(value: JsonValue): number {
  return utf8ByteLength(JSON.stringify(value));
}

/** Nesting depth: 0 for a scalar, 1 + the deepest child for an array or object. */
export function jsonDepth(value: JsonValue): number {
  if (Array.isArray(value)) {
    let deepest = 0;
    for (const item of value) deepest = Math.max(deepest, jsonDepth(item));
    return deepest + 1;
  }
  if (value !== null && typeof value === 'object') {
    let deepest = 0;
    for (const key of Object.keys(value))
      deepest = Math.max(deepest, jsonDepth(value[key] ?? null));
    return deepest + 1;
  }
  return 0;
}

/**
 * Nesting depth and an upper bound on the serialized size (UTF-8 bytes) in one walk, so limits
 * can be checked without serializing; only values near a limit need {@link jsonByteLength}.
 */
export function measureJson(value: JsonValue): { depth: number; maxBytes: number } {
  if (typeof value === 'string') return { depth: 0, maxBytes: value.length * 6 + 2 };
  if (value === null || typeof value !== 'object') return { depth: 0, maxBytes: 25 };
  let depth = 0;
  let maxBytes = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      const inner = measureJson(item);
      depth = Math.max(depth, inner.depth);
      maxBytes += inner.maxBytes + 1;
    }
  } else {
    for (const key of Object.keys(value)) {
      const inner = measureJson(value[key] ?? null);
      depth = Math.max(depth, inner.depth);
      maxBytes += inner.maxBytes + key.length * 6 + 4;
    }
  }
  return { depth: depth + 1, maxBytes };
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** Bounds for {@link toJsonValue}. */
export interface JsonCloneLimits {
  /** Deepest nesting accepted. */
  maxDepth: number;
  /** Largest serialized size, UTF-8 bytes. */
  maxBytes: number;
  /** Longest string value. */
  maxStringLength: number;
  /** Longest object key. */
  maxKeyLength: number;
}

/** Outcome of {@link toJsonValue}: a fresh JSON copy, or where and why the value is not JSON. */
export type JsonCloneResult =
  { ok: true; value: JsonValue } | { ok: false; path: string; message: string };

class NotJson extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Copies an untrusted value into fresh plain JSON data within limits. Class instances, functions,
 * non-finite numbers, cycles and oversized or overdeep values are refused (a throwing getter or
 * proxy too), so later code can walk the copy without guarding against any of them. Keys such as
 * `__proto__` stay own data properties.
 */
export function toJsonValue(raw: unknown, limits: JsonCloneLimits): JsonCloneResult {
  // Bounds on the serialized size, kept cheaply during the walk: `lower` never exceeds the real
  // size and `upper` never falls below it, so JSON.stringify is needed only in between.
  let lower = 0;
  let upper = 0;
  const trail: (string | number)[] = [];
  const fail = (message: string): never => {
    throw new NotJson(toPointer(trail), message);
  };
  const charge = (least: number, most: number): void => {
    lower += least;
    upper += most;
    if (lower > limits.maxBytes)
      fail(`is larger than the limit of ${limits.maxBytes} bytes of JSON`);
  };
  const copy = (value: unknown, depth: number): JsonValue => {
    if (value === null) {
      charge(4, 4);
      return null;
    }
    switch (typeof value) {
      case 'boolean':
        charge(4, 5);
        return value;
      case 'number':
        if (!Number.isFinite(value)) fail('must be a finite number');
        charge(1, 25);
        return value;
      case 'string':
        if (value.length > limits.maxStringLength)
          fail(`is longer than ${limits.maxStringLength} characters`);
        charge(value.length + 2, value.length * 6 + 2);
        return value;
      case 'object':
        break;
      default:
        return fail(`is a ${typeof value}, which JSON cannot carry`);
    }
    if (depth >= limits.maxDepth) fail(`is nested deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(value)) {
      const length = value.length;
      const out: JsonValue[] = new Array<JsonValue>(length);
      charge(2 + length, 2 + length);
      for (let i = 0; i < length; i++) {
        trail.push(i);
        if (!Object.hasOwn(value, i)) fail('is a hole; arrays must hold a value at every index');
        out[i] = copy(value[i], depth + 1);
        trail.pop();
      }
      return out;
    }
    if (!isPlainObject(value)) return fail('must be a plain JSON object');
    const out: Record<string, JsonValue> = {};
    charge(2, 2);
    for (const key of Object.keys(value)) {
      trail.push(key);
      if (key.length > limits.maxKeyLength)
        fail(`has a key longer than ${limits.maxKeyLength} characters`);
      const member = value[key];
      if (member !== undefined) {
        charge(key.length + 4, key.length * 6 + 4);
        setOwn(out, key, copy(member, depth + 1));
      }
      trail.pop();
    }
    return out;
  };
  try {
    const value = copy(raw, 0);
    const bytes = upper <= limits.maxBytes ? upper : jsonByteLength(value);
    if (bytes > limits.maxBytes) {
      return {
        ok: false,
        path: '',
        message: `is larger than the limit of ${limits.maxBytes} bytes of JSON`,
      };
    }
    return { ok: true, value };
  } catch (error) {
    if (error instanceof NotJson) return { ok: false, path: error.path, message: error.message };
    return { ok: false, path: toPointer(trail), message: 'could not be read as JSON data' };
  }
}

/** Escapes one JSON pointer token (RFC 6901). */
export function escapePointerToken(token: string): string {
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Unescapes one JSON pointer token (RFC 6901). */
export function unescapePointerToken(token: string): string {
  if (!token.includes('~')) return token;
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Builds a JSON pointer from its tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${escapePointerToken(String(token))}`).join('');
}
