import type { RegisteredTaskType as RegisteredTaskTypeView, TaskTypeView } from '@weft/contract';
import { registeredTaskType, type TaskType } from '@weft/core';
import type { RegisteredTaskType } from '@weft/task-registry';

/** What every task type shows, built-in or registered. */
function taskTypeFields(taskType: TaskType): Omit<TaskTypeView, 'builtIn'> {
  return {
    name: taskType.name,
    category: taskType.category,
    description: taskType.description,
    needsModel: taskType.needsModel,
    models: [...taskType.models],
    inputSchema: taskType.inputSchema,
    outputSchema: taskType.outputSchema,
  };
}

/** A built-in task type as `GET /v1/task-types` lists it. */
export function builtInTaskTypeView(taskType: TaskType): TaskTypeView {
  return { ...taskTypeFields(taskType), builtIn: true };
}

/** A registered task type as the admin API shows it: as registered, and when. */
export function registeredTaskTypeView(taskType: RegisteredTaskType): RegisteredTaskTypeView {
  return {
    name: taskType.name,
    version: taskType.version,
    description: taskType.description,
    inputSchema: taskType.inputSchema,
    outputSchema: taskType.outputSchema,
    ...(taskType.retry === undefined ? {} : { retry: { ...taskType.retry } }),
    ...(taskType.timeout === undefined ? {} : { timeout: taskType.timeout }),
    registeredAt: taskType.registeredAt,
  };
}

/** A registered task type as `GET /v1/task-types` lists it, after the built-in ones. */
export function customTaskTypeView(taskType: RegisteredTaskType): TaskTypeView {
  const { version, registeredAt, retry, timeout } = registeredTaskTypeView(taskType);
  return {
    ...taskTypeFields(registeredTaskType(taskType)),
    builtIn: false,
    version,
    registeredAt,
    ...(retry === undefined ? {} : { retry }),
    ...(timeout === undefined ? {} : { timeout }),
  };
}
