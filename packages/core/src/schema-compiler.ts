import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from './json-schema';
import { jsonTypeOf } from './json-value';

let shared: Ajv | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function ajv(): Ajv {
  // allErrors so one response lists every problem; verbose so messages can name allowed keys.
  shared ??= new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
  }).addFormat('uri', { type: 'string', validate: isHttpUrl });
  return shared;
}

/** Compiles a schema once (cached per schema object) into an ajv validator. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** One schema violation, located by JSON pointer relative to the validated value. */
export interface SchemaProblem {
  path: string;
  message: string;
}

const FORMAT_NAMES: Record<string, string> = { uri: 'an http(s) URL' };

function quoteList(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function gotType(data: unknown): string {
  return jsonTypeOf(data) ?? typeof data;
}

function parentSchemaOf(error: ErrorObject): JsonSchema {
  return (error.parentSchema ?? {}) as JsonSchema;
}

function describe(error: ErrorObject, subErrors: ErrorObject[]): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  const parent = parentSchemaOf(error);
  const here = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${here}/${String(params.missingProperty)}`,
        message: `"${String(params.missingProperty)}" is required but missing`,
      };
    case 'additionalProperties': {
      const allowed = Object.keys(parent.properties ?? {});
      const key = String(params.additionalProperty);
      return {
        path: `${here}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message:
          'is not an allowed property' +
          (allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''),
      };
    }
    case 'type':
      return {
        path: here,
        message: `must be ${String(params.type).replace(/,/g, ' or ')} (got ${gotType(error.data)})`,
      };
    case 'enum':
      return { path: here, message: `must be one of ${quoteList(parent.enum ?? [])}` };
    case 'const':
      return { path: here, message: `must be ${JSON.stringify(parent.const)}` };
    case 'format': {
      const format = String(params.format);
      return { path: here, message: `must be ${FORMAT_NAMES[format] ?? `a valid ${format}`}` };
    }
    case 'pattern':
      return {
        path: here,
        message:
          parent.description !== undefined
            ? `does not have the expected form: ${parent.description}`
            : `must match the pattern ${String(params.pattern)}`,
      };
    case 'anyOf': {
      const branches = parent.anyOf ?? [];
      const requiredOnly = branches.every(
        (branch) => branch.required !== undefined && Object.keys(branch).length === 1,
      );
      if (requiredOnly) {
        return {
          path: here,
          message: `needs at least one of: ${branches.flatMap((branch) => branch.required ?? []).join(', ')}`,
        };
      }
      const options = [...new Set(subErrors.map((sub) => describe(sub, []).message))];
      return {
        path: here,
        message: `must match one of the allowed forms (${options.join('; or ')})`,
      };
    }
    case 'not': {
      const forbidden = parent.not ?? {};
      if (forbidden.required !== undefined) {
        return { path: here, message: `must not have all of: ${forbidden.required.join(', ')}` };
      }
      if (forbidden.enum !== undefined) {
        return { path: here, message: `must not be ${quoteList(forbidden.enum)}` };
      }
      return { path: here, message: 'has a value that is not allowed here' };
    }
    default:
      return { path: here, message: (error.message ?? 'is invalid').replace(/NOT/g, 'not') };
  }
}

/** Problems described at most: more tell a caller nothing new, and cost time to build. */
const MAX_DESCRIBED_PROBLEMS = 200;

/**
 * Turns ajv errors into one clear problem each: anyOf branches fold into one message, and
 * property-name errors point at the offending key.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
  // Errors are indexed by the anyOf/oneOf that encloses them (same schema branch, same value), so
  // thousands of errors cost linear time, not quadratic: a hostile body cannot stall the caller.
  const groups = new Map<string, ErrorObject>();
  const groupKey = (schemaPath: string, instancePath: string) =>
    `${schemaPath}\u0000${instancePath}`;
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      groups.set(groupKey(error.schemaPath, error.instancePath), error);
    }
  }
  const enclosing = (error: ErrorObject): ErrorObject | undefined => {
    if (groups.size === 0) return undefined;
    const schemaParts = error.schemaPath.split('/');
    const instanceParts = error.instancePath.split('/');
    for (let s = schemaParts.length - 1; s > 0; s--) {
      const schemaPath = schemaParts.slice(0, s).join('/');
      for (let i = instanceParts.length; i > 0; i--) {
        const group = groups.get(groupKey(schemaPath, instanceParts.slice(0, i).join('/')));
        if (group && group !== error) return group;
      }
    }
    return undefined;
  };
  const subErrors = new Map<ErrorObject, ErrorObject[]>();
  const inGroup = new Set<ErrorObject>();
  for (const error of errors) {
    const group = enclosing(error);
    if (!group) continue;
    inGroup.add(error);
    const list = subErrors.get(group) ?? [];
    list.push(error);
    subErrors.set(group, list);
  }
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (problems.length >= MAX_DESCRIBED_PROBLEMS) break;
    if (error.keyword === 'propertyNames' || inGroup.has(error)) continue;
    let problem: SchemaProblem;
    if (error.propertyName !== undefined) {
      problem = {
        path: `${error.instancePath}/${error.propertyName.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: `"${error.propertyName}" is not an allowed name: names start with a letter or _, use only letters, digits, _ and -, have at most 64 characters, and are not __proto__, constructor or prototype`,
      };
    } else {
      problem = describe(error, subErrors.get(error) ?? []);
    }
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
