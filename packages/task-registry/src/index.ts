export { REGISTRY_TOPIC } from './registry-topic';
export type { RegisteredTaskType } from './registry-record';
export type { InvalidRegistryRecord } from './registry-reader';
export { TaskTypeRegistry, type TaskTypeRegistryOptions } from './task-type-registry';
export {
  registerTaskTypes,
  TaskTypeConflictError,
  type RegisterOptions,
  type RegistrationOutcome,
  type TaskTypeConflict,
} from './register-task-types';
export { removeTaskType } from './remove-task-type';
