import {
  TaskTypeRegistration as REGISTRATION_SCHEMA,
  type TaskTypeRegistration as WireRegistration,
} from '@weft/contract';
import { NODE_RETRY_SCHEMA, NODE_TIMEOUT_SCHEMA } from './definition-schema';
import type { RetryPolicy } from './definition-types';
import type { JsonSchema } from './json-schema';
import { isPlainObject } from './json-value';
import { compileSchema, describeSchemaErrors } from './schema-compiler';
import { customTaskTypeNameProblem } from './task-type-names';

/**
 * A task type as its worker registers it: the contract's wire shape, with core's types for what
 * core reads in it (the schemas and the retry policy).
 */
export type TaskTypeRegistration = Omit<
  WireRegistration,
  'inputSchema' | 'outputSchema' | 'retry'
> & {
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  retry?: RetryPolicy;
};

/** A registration checked: the registration, or every reason it cannot be registered. */
export type RegistrationCheck =
  { ok: true; registration: TaskTypeRegistration } | { ok: false; problems: string[] };

/** `/retry/max_attempts` → `retry.max_attempts`: how a registration's author names a field. */
function fieldOf(pointer: string): string {
  return pointer.split('/').slice(1).join('.');
}

function problemsAgainst(schema: JsonSchema, value: unknown, field: string): string[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  return describeSchemaErrors(validate.errors ?? []).map((problem) => {
    const at = [field, fieldOf(problem.path)].filter((part) => part !== '').join('.');
    return at === '' ? problem.message : `${at}: ${problem.message}`;
  });
}

/** Where `$id` appears in `schema`, as a JSON pointer, if it does. */
function idIn(schema: unknown, pointer = ''): string | undefined {
  if (Array.isArray(schema)) {
    for (const [i, item] of schema.entries()) {
      const found = idIn(item, `${pointer}/${i}`);
      if (found !== undefined) return found;
    }
  } else if (isPlainObject(schema)) {
    if (Object.hasOwn(schema, '$id')) return `${pointer}/$id`;
    for (const [key, value] of Object.entries(schema)) {
      const found = idIn(value, `${pointer}/${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Why a registered schema cannot be used, or undefined when it compiles. */
function schemaProblem(schema: JsonSchema, field: 'inputSchema' | 'outputSchema') {
  // One validator instance compiles every schema: a second schema of the same $id would be
  // refused there, so registered schemas name none.
  const id = idIn(schema);
  if (id !== undefined) return `${field}: "$id" is not allowed (at ${id})`;
  try {
    compileSchema(schema);
    return undefined;
  } catch (error) {
    return `${field} is not a JSON Schema (draft-07) Weft can compile: ${(error as Error).message}`;
  }
}

/**
 * Checks a registration as it came (from a worker, or read back from the registry): its shape,
 * its name (see customTaskTypeNameProblem), its retry policy and timeout (as a node's), and that
 * both its schemas compile. Never throws.
 */
export function checkTaskTypeRegistration(value: unknown): RegistrationCheck {
  const shape = problemsAgainst(REGISTRATION_SCHEMA, value, '');
  if (shape.length > 0) return { ok: false, problems: shape };
  const registration = value as TaskTypeRegistration;
  const problems = [
    customTaskTypeNameProblem(registration.name),
    ...(registration.retry === undefined
      ? []
      : problemsAgainst(NODE_RETRY_SCHEMA, registration.retry, 'retry')),
    ...(registration.timeout === undefined
      ? []
      : problemsAgainst(NODE_TIMEOUT_SCHEMA, registration.timeout, 'timeout')),
    schemaProblem(registration.inputSchema, 'inputSchema'),
    schemaProblem(registration.outputSchema, 'outputSchema'),
  ].filter((problem) => problem !== undefined);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, registration };
}
