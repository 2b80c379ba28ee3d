import type { InputParameter, ParameterType, WorkflowDefinition } from './definition-types';
import { isPlainObject, setOwn } from './json-value';
import { listReferences } from './references';

/** The parameters a run is checked against, and whether the definition declared them. */
export interface EffectiveParameters {
  /** False when inferred from `${input.*}` references (each then required, any type). */
  declared: boolean;
  parameters: Record<string, InputParameter>;
}

/** Declared parameters, or when the definition declares none, those its references imply. */
export function inputParametersOf(definition: WorkflowDefinition): EffectiveParameters {
  if (definition.input_parameters !== undefined) {
    return { declared: true, parameters: definition.input_parameters };
  }
  const parameters: Record<string, InputParameter> = {};
  for (const id of Object.keys(definition.dag.nodes)) {
    for (const occurrence of listReferences(definition.dag.nodes[id]?.inputs)) {
      const reference = occurrence.reference;
      if (reference.kind === 'input' && !Object.hasOwn(parameters, reference.name)) {
        setOwn(parameters, reference.name, { required: true });
      }
    }
  }
  return { declared: false, parameters };
}

/** Whether `value` has the parameter type (an absent type accepts any value). */
export function fitsParameterType(type: ParameterType | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}
