// Your own step types, in your own process: define them, and run a worker that serves them.
export {
  defineTaskType,
  TaskTypeDefinitionError,
  type StepContext,
  type StepHandler,
  type TaskContext,
  type TaskHandler,
  type TaskType,
  type TaskTypeDefinition,
} from './task-type';
export {
  createWorker,
  workerSettingsFromEnv,
  type Worker,
  type WorkerSettings,
} from './create-worker';
export { NonRetriableError, RetryableError, type HandlerErrorOptions } from './errors';
export type { GatewayAccess } from './gateway-artifacts';
export { testTaskContext } from './test-context';
// Why `start` refused the task types: a reserved name, a bad schema, an incompatible change.
export { TaskTypeConflictError } from '@weft/task-registry';

// The runtime underneath, for Weft's own worker service.
export { WorkerRuntime } from './runtime';
export {
  readRuntimeOptions,
  RUNTIME_DEFAULTS,
  defaultWorkerId,
  type RuntimeOptions,
} from './runtime-options';
export {
  executeStep,
  MAX_STEP_OUTPUT_BYTES,
  type ExecuteContext,
  type StepOutcome,
  type TaskTypes,
} from './execute-step';
export type { ArtifactUpload } from './attempt-runner';
