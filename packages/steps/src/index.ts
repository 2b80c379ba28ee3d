export { CORE_STEP_HANDLERS } from './core-steps';
export { executeStep, MAX_STEP_OUTPUT_BYTES, type StepOutcome } from './execute-step';
export { artifactIdOf, artifactUrl, MAX_MEDIA_BYTES } from './media';
export type { StepContext, StepHandler } from './step-handler';
export { createStepHandlers } from './step-handlers';
export type { StepServices, WebhookEndpointTarget } from './step-services';
export { parseStepSecrets, StepSecrets, type StepSecret } from './step-secrets';
