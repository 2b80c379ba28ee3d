import type { WorkflowDefinition } from './definition-types';
import type { Diagnostic } from './diagnostics';
import { fitsParameterType, inputParametersOf } from './input-parameters';
import { escapePointerToken, isPlainObject, jsonEqual, setOwn, toJsonValue } from './json-value';
import { DEFINITION_LIMITS, FORBIDDEN_NAMES } from './limits';

/** A run's checked input with defaults applied, or every problem with it. */
export type RunInputResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; details: Diagnostic[] };

/**
 * Checks a run's input against the definition's input parameters: required, type and enum, with
 * defaults applied. Unknown keys are refused when parameters are declared (a typo should not be
 * silently ignored) and kept when they are inferred. `undefined` input means `{}`.
 */
export function validateRunInput(definition: WorkflowDefinition, input: unknown): RunInputResult {
  const copy = toJsonValue(input === undefined ? {} : input, {
    maxDepth: DEFINITION_LIMITS.maxInputDepth + 1,
    maxBytes: DEFINITION_LIMITS.maxRunInputBytes,
    maxStringLength: DEFINITION_LIMITS.maxStringLength,
    maxKeyLength: DEFINITION_LIMITS.maxKeyLength,
  });
  if (!copy.ok) {
    return {
      ok: false,
      details: [
        {
          code: 'invalid_run_input',
          message: `Run input${copy.path === '' ? '' : ` at ${copy.path}`} ${copy.message}`,
          path: copy.path,
        },
      ],
    };
  }
  const received = copy.value;
  if (!isPlainObject(received)) {
    return {
      ok: false,
      details: [
        {
          code: 'invalid_run_input',
          message: 'Run input must be a JSON object of parameter values, e.g. {"prompt": "..."}',
          path: '',
        },
      ],
    };
  }
  const { declared, parameters } = inputParametersOf(definition);
  const details: Diagnostic[] = [];
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(received)) {
    const path = `/${escapePointerToken(key)}`;
    if (FORBIDDEN_NAMES.includes(key)) {
      details.push({
        code: 'forbidden_input_key',
        message: `Run input key "${key}" is not allowed`,
        field: key,
        path,
      });
    } else if (declared && !Object.hasOwn(parameters, key)) {
      const known = Object.keys(parameters);
      details.push({
        code: 'unknown_input',
        message: `Run input "${key}" is not an input parameter of this workflow; ${known.length > 0 ? `parameters: ${known.join(', ')}` : 'it takes no parameters'}`,
        field: key,
        path,
      });
    } else if (!declared) {
      setOwn(value, key, received[key]);
    }
  }
  for (const name of Object.keys(parameters)) {
    const parameter = parameters[name];
    if (parameter === undefined) continue;
    const path = `/${escapePointerToken(name)}`;
    if (!Object.hasOwn(received, name)) {
      if (parameter.default !== undefined)
        setOwn(value, name, JSON.parse(JSON.stringify(parameter.default)) as unknown);
      else if (parameter.required === true) {
        details.push({
          code: 'missing_input',
          message: `Run input "${name}" is required${parameter.description === undefined ? '' : ` (${parameter.description})`}`,
          field: name,
          path,
        });
      }
      continue;
    }
    const given = received[name];
    if (!fitsParameterType(parameter.type, given)) {
      details.push({
        code: 'input_type_mismatch',
        message: `Run input "${name}" must be ${parameter.type ?? 'a JSON value'}`,
        field: name,
        path,
      });
    } else if (
      parameter.enum !== undefined &&
      !parameter.enum.some((allowed) => jsonEqual(allowed, given))
    ) {
      details.push({
        code: 'input_not_in_enum',
        message: `Run input "${name}" must be one of ${parameter.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`,
        field: name,
        path,
      });
    } else {
      setOwn(value, name, given);
    }
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, value };
}
