export { CORE_STEP_HANDLERS } from './core-steps';
export { executeStep, MAX_STEP_OUTPUT_BYTES, type StepOutcome } from './execute-step';
export { NonRetriableStepError, StepFailure, toStepError } from './step-errors';
export type { StepContext, StepHandler } from './step-handler';
