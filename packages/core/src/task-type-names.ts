import { CUSTOM_TASK_TYPE_NAME_PATTERN } from '@weft/contract';
import { getTaskType, listTaskTypes } from './task-types';

const CUSTOM_NAME = new RegExp(CUSTOM_TASK_TYPE_NAME_PATTERN);

/**
 * Namespaces no registered task type may use: those of the built-in types (`openai`, `fal`,
 * `core`), so Weft can add types there, and `weft`.
 */
export const RESERVED_TASK_NAMESPACES: readonly string[] = [
  ...new Set([
    ...listTaskTypes().flatMap((type) => {
      const slash = type.name.indexOf('/');
      return slash === -1 ? [] : [type.name.slice(0, slash)];
    }),
    'weft',
  ]),
];

/**
 * Why `name` cannot name a task type registered at run time, or undefined when it can: it must
 * be `namespace/name` (each part a lowercase letter, then up to 62 lowercase letters, digits, `_`
 * or `-`), outside the reserved namespaces, and never a built-in type's name.
 */
export function customTaskTypeNameProblem(name: string): string | undefined {
  if (getTaskType(name) !== undefined) {
    return `"${name}" is a built-in task type; a registered type needs a name of its own`;
  }
  if (!CUSTOM_NAME.test(name)) {
    return `"${name}" is not a registered task type's name: write namespace/name, each part a lowercase letter then up to 62 lowercase letters, digits, _ or - (e.g. acme/resize)`;
  }
  const namespace = name.slice(0, name.indexOf('/'));
  if (RESERVED_TASK_NAMESPACES.includes(namespace)) {
    return `"${name}" is in the namespace "${namespace}", which is reserved for Weft's own task types (reserved: ${RESERVED_TASK_NAMESPACES.join(', ')})`;
  }
  return undefined;
}
