import { acceptedTypes, describeTypes, type AcceptedTypes, type JsonSchema } from './json-schema';
import type { TaskTypeRegistration } from './task-type-registration';

/** Nesting compared at most: deeper fields are rare, and a hostile schema cannot stall us. */
const MAX_DEPTH = 32;

/** Whether every type `b` admits is admitted by `a` (an integer is a number). */
function covers(a: AcceptedTypes, b: AcceptedTypes): boolean {
  if (a === 'any') return true;
  if (b === 'any') return false;
  for (const type of b) {
    if (!a.has(type) && !(type === 'integer' && a.has('number'))) return false;
  }
  return true;
}

function admitsObject(types: AcceptedTypes): boolean {
  return types === 'any' || types.has('object');
}

type Side = 'input' | 'output';

/** `"options.size"`, or `the input` at the root: how a reason names a field. */
function named(side: Side, path: string): string {
  return path === '' ? `the ${side}` : `${side} "${path}"`;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * What a workflow written against `before` may no longer do with `after`, at `path`. Inputs: what
 * nodes send must still be accepted (no field removed or newly required, no type narrowed, not
 * closed where it was open). Outputs: what references read must still be there (no field removed
 * or made optional, no type widened).
 */
function compare(
  side: Side,
  before: JsonSchema,
  after: JsonSchema,
  path: string,
  reasons: string[],
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const was = acceptedTypes([before]);
  const now = acceptedTypes([after]);
  if (side === 'input' && !covers(now, was)) {
    reasons.push(
      `${named(side, path)} accepted ${describeTypes(was)}, and now accepts ${describeTypes(now)}`,
    );
    return;
  }
  if (side === 'output' && !covers(was, now)) {
    reasons.push(
      `${named(side, path)} was ${describeTypes(was)}, and now may be ${describeTypes(now)}`,
    );
    return;
  }
  if (admitsObject(was) && admitsObject(now)) {
    const beforeFields = before.properties ?? {};
    const afterFields = after.properties ?? {};
    const removed = new Set<string>();
    for (const [key, field] of Object.entries(beforeFields)) {
      const kept = Object.hasOwn(afterFields, key) ? afterFields[key] : undefined;
      if (kept === undefined) {
        removed.add(key);
        reasons.push(`${named(side, join(path, key))} was removed`);
      } else {
        compare(side, field, kept, join(path, key), reasons, depth + 1);
      }
    }
    const beforeRequired = new Set(before.required ?? []);
    const afterRequired = new Set(after.required ?? []);
    if (side === 'input') {
      for (const key of afterRequired) {
        if (!beforeRequired.has(key))
          reasons.push(`${named(side, join(path, key))} is now required`);
      }
      if (before.additionalProperties !== false && after.additionalProperties === false) {
        reasons.push(
          `${named(side, path)} now refuses fields it does not list (additionalProperties: false)`,
        );
      }
    } else {
      for (const key of beforeRequired) {
        if (!afterRequired.has(key) && !removed.has(key)) {
          reasons.push(`${named(side, join(path, key))} is no longer required`);
        }
      }
    }
  }
  if (before.items !== undefined && after.items !== undefined) {
    compare(side, before.items, after.items, `${path}[]`, reasons, depth + 1);
  }
}

/**
 * Why `next` cannot replace `previous` under the same name and version: the changes that could
 * break a workflow written against `previous` (see `compare` for each). Empty when they are
 * compatible — a new description, a new optional input, a new output field — and always empty
 * when the versions (or names) differ, since a new version is how a schema changes incompatibly.
 */
export function incompatibilities(
  previous: TaskTypeRegistration,
  next: TaskTypeRegistration,
): string[] {
  if (previous.name !== next.name || previous.version !== next.version) return [];
  const reasons: string[] = [];
  compare('input', previous.inputSchema, next.inputSchema, '', reasons, 0);
  compare('output', previous.outputSchema, next.outputSchema, '', reasons, 0);
  return reasons;
}
