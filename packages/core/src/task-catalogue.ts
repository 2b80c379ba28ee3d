import type { TaskTypeRegistration } from './task-type-registration';
import { customTaskTypeNameProblem } from './task-type-names';
import { getTaskType, listTaskTypes, type TaskType } from './task-types';

/**
 * The task types a definition may name, as validation reads them: the built-in ones, or those and
 * the types registered at run time (`withRegistered`).
 */
export interface TaskCatalogue {
  /** The task type of this name, or undefined. */
  get(name: string): TaskType | undefined;
  /** Every name: the built-in types in catalogue order, then the registered ones by name. */
  names(): readonly string[];
}

const BUILT_IN_NAMES: readonly string[] = listTaskTypes().map((type) => type.name);

/** Weft's own task types, and no others: what validation reads unless given a catalogue. */
export const BUILT_IN_TASKS: TaskCatalogue = Object.freeze({
  get: getTaskType,
  names: () => BUILT_IN_NAMES,
});

/**
 * A registered task type as validation and editors read it: category `custom`, no model, its
 * retry policy and timeout as its nodes' defaults.
 */
export function registeredTaskType(registration: TaskTypeRegistration): TaskType {
  return {
    name: registration.name,
    category: 'custom',
    description: registration.description,
    needsModel: false,
    models: [],
    inputSchema: registration.inputSchema,
    outputSchema: registration.outputSchema,
    ...(registration.retry === undefined ? {} : { retry: registration.retry }),
    ...(registration.timeout === undefined ? {} : { timeout: registration.timeout }),
  };
}

/**
 * The built-in task types and `registrations`, which validation then treats exactly as built-in
 * ones. A registration whose name is not a custom type's (see customTaskTypeNameProblem) is left
 * out, so no registration can stand in for a built-in type; of two of one name, the later counts.
 */
export function withRegistered(registrations: readonly TaskTypeRegistration[]): TaskCatalogue {
  const registered = new Map<string, TaskType>();
  for (const registration of registrations) {
    if (customTaskTypeNameProblem(registration.name) !== undefined) continue;
    registered.set(registration.name, registeredTaskType(registration));
  }
  const names = [...BUILT_IN_NAMES, ...[...registered.keys()].sort()];
  return Object.freeze({
    get: (name: string) => getTaskType(name) ?? registered.get(name),
    names: () => names,
  });
}
