import { getTaskType } from '@weft/core';
import { defineTaskType, type StepHandler, type TaskType, type TaskTypes } from '@weft/worker';

/** The task types of core's catalogue as a worker serves them: `names`, each with its handler. */
export function builtInTaskTypes(
  handlers: Readonly<Record<string, StepHandler>>,
  names: readonly string[],
): TaskTypes {
  const served = new Map<string, TaskType>();
  for (const name of names) {
    const declared = getTaskType(name);
    const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (!declared || !handler) throw new Error(`no built-in task type "${name}" with a handler`);
    const { description, inputSchema, outputSchema } = declared;
    served.set(name, defineTaskType({ name, description, inputSchema, outputSchema, handler }));
  }
  return served;
}
