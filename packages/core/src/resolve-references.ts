import type { PathSegment } from './json-schema';
import { escapePointerToken, isPlainObject, setOwn } from './json-value';
import { DEFINITION_LIMITS } from './limits';
import { formatReference, parseTemplate, type Reference } from './references';

/** The values references resolve against: the run's input and the results of completed nodes. */
export interface ReferenceScope {
  input: Record<string, unknown>;
  nodes: Record<string, { result: unknown }>;
}

/** Why a node's inputs could not be resolved. */
export type ResolveErrorCode =
  'unresolved_reference' | 'malformed_reference' | 'forbidden_path_segment' | 'invalid_inputs';

/** A resolution failure: fails the node with this code instead of passing it `undefined`. */
export interface ResolveError {
  code: ResolveErrorCode;
  message: string;
  /** The reference's source text, or the offending string. */
  reference: string;
  /** JSON pointer within the inputs to the string that failed. */
  pointer: string;
}

/** Resolved inputs, or the first reference that could not be resolved. */
export type ResolveResult<T = unknown> =
  { ok: true; value: T } | { ok: false; error: ResolveError };

function walk(
  start: unknown,
  path: readonly PathSegment[],
): { found: true; value: unknown } | { found: false; at: number } {
  let current = start;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    if (Array.isArray(current)) {
      const index =
        typeof segment === 'number'
          ? segment
          : /^(0|[1-9][0-9]*)$/.test(segment)
            ? Number(segment)
            : -1;
      if (index < 0 || index >= current.length || !Object.hasOwn(current, index))
        return { found: false, at: i };
      current = current[index];
    } else if (
      isPlainObject(current) &&
      typeof segment === 'string' &&
      Object.hasOwn(current, segment)
    ) {
      current = current[segment];
    } else {
      return { found: false, at: i };
    }
    if (current === undefined) return { found: false, at: i };
  }
  return { found: true, value: current };
}

function describeMissing(reference: Reference, at: number): string {
  const source = formatReference(reference);
  if (reference.kind === 'input') {
    return at < 0
      ? `${source}: the run has no input "${reference.name}"`
      : `${source}: input "${reference.name}" has no value at this path`;
  }
  return at < 0
    ? `${source}: node "${reference.node}" has no result (it has not completed)`
    : `${source}: the result of node "${reference.node}" has no value at this path`;
}

/** Resolves one reference against a scope, walking own properties only. */
export function resolveReference(reference: Reference, scope: ReferenceScope): ResolveResult {
  const fail = (at: number): ResolveResult => ({
    ok: false,
    error: {
      code: 'unresolved_reference',
      message: describeMissing(reference, at),
      reference: formatReference(reference),
      pointer: '',
    },
  });
  let root: unknown;
  if (reference.kind === 'input') {
    if (!isPlainObject(scope.input) || !Object.hasOwn(scope.input, reference.name)) return fail(-1);
    root = scope.input[reference.name];
  } else {
    if (!isPlainObject(scope.nodes) || !Object.hasOwn(scope.nodes, reference.node)) return fail(-1);
    const entry: unknown = scope.nodes[reference.node];
    if (!isPlainObject(entry) || !Object.hasOwn(entry, 'result')) return fail(-1);
    root = entry.result;
  }
  if (root === undefined) return fail(-1);
  const found = walk(root, reference.path);
  return found.found ? { ok: true, value: found.value } : fail(found.at);
}

function interpolate(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  return JSON.stringify(value);
}

/**
 * Resolves every `${...}` in a node's inputs. A string that is exactly one reference becomes the
 * referenced value with its type; references inside longer strings are interpolated as text
 * (objects and arrays as JSON). Resolved values share structure with the scope.
 */
export function resolveInputs<T = unknown>(
  inputs: unknown,
  scope: ReferenceScope,
): ResolveResult<T> {
  const resolveAt = (value: unknown, pointer: string, depth: number): ResolveResult => {
    if (depth > DEFINITION_LIMITS.maxInputDepth) {
      return {
        ok: false,
        error: {
          code: 'invalid_inputs',
          message: `inputs are nested deeper than ${DEFINITION_LIMITS.maxInputDepth} levels`,
          reference: '',
          pointer,
        },
      };
    }
    if (typeof value === 'string') {
      if (!value.includes('${')) return { ok: true, value };
      const parsed = parseTemplate(value);
      if (!parsed.ok) {
        return {
          ok: false,
          error: { ...parsed.problem, reference: parsed.problem.source, pointer },
        };
      }
      const [only] = parsed.parts;
      if (parsed.parts.length === 1 && only?.kind === 'reference') {
        const result = resolveReference(only.reference, scope);
        return result.ok ? result : { ok: false, error: { ...result.error, pointer } };
      }
      let text = '';
      for (const part of parsed.parts) {
        if (part.kind === 'text') {
          text += part.text;
          continue;
        }
        const result = resolveReference(part.reference, scope);
        if (!result.ok) return { ok: false, error: { ...result.error, pointer } };
        text += interpolate(result.value);
      }
      return { ok: true, value: text };
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = resolveAt(value[i], `${pointer}/${i}`, depth + 1);
        if (!item.ok) return item;
        out.push(item.value);
      }
      return { ok: true, value: out };
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = resolveAt(value[key], `${pointer}/${escapePointerToken(key)}`, depth + 1);
        if (!item.ok) return item;
        setOwn(out, key, item.value);
      }
      return { ok: true, value: out };
    }
    return { ok: true, value };
  };
  return resolveAt(inputs, '', 0) as ResolveResult<T>;
}
