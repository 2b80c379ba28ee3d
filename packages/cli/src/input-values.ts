import { UsageError } from './command';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The value of `--input key=value`, coerced the way a person typing it means it: `42` and `-1.5`
 * are numbers, `true`/`false` booleans, `null` null, `{…}`, `[…]` and `"…"` JSON when they parse
 * as JSON; everything else, and every number that would lose digits as a JSON number, is the
 * text as typed. Quote a value (`key='"42"'`) to keep it a string.
 */
export function coerceInputValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (NUMBER.test(text)) {
    const number = Number(text);
    const exact = /[.eE]/.test(text) ? Number.isFinite(number) : Number.isSafeInteger(number);
    return exact ? number : text;
  }
  const first = text[0];
  if (first === '{' || first === '[' || (first === '"' && text.endsWith('"') && text.length > 1)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * One `--input` argument as a key and value: `key=value` (coerced, see coerceInputValue) or
 * `key:=json` (the value must be JSON).
 */
export function parseInputPair(argument: string): [string, unknown] {
  const equals = argument.indexOf('=');
  if (equals <= 0) {
    throw new UsageError(`--input "${argument}" is not key=value`);
  }
  const rawKey = argument.slice(0, equals);
  const text = argument.slice(equals + 1);
  if (rawKey.endsWith(':')) {
    const key = rawKey.slice(0, -1);
    if (key === '') throw new UsageError(`--input "${argument}" has no key`);
    try {
      return [key, JSON.parse(text) as unknown];
    } catch (error) {
      throw new UsageError(`--input ${key}:= needs JSON: ${(error as Error).message}`);
    }
  }
  return [rawKey, coerceInputValue(text)];
}

/**
 * A run's input from `--input-json '{…}'` (an object) and `--input k=v` pairs, the pairs winning
 * over the JSON and later pairs over earlier ones.
 */
export function buildRunInput(
  pairs: readonly string[],
  json: string | undefined,
): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new UsageError(`--input-json is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError('--input-json must be a JSON object');
    }
    entries.push(...Object.entries(parsed));
  }
  for (const pair of pairs) entries.push(parseInputPair(pair));
  // fromEntries defines properties: a key such as __proto__ stays data, for the API to refuse.
  return Object.fromEntries(entries);
}
