export { CORE_STEP_HANDLERS } from './core-steps';
export { artifactIdOf, artifactUrl, MAX_MEDIA_BYTES } from './media';
export { createStepHandlers } from './step-handlers';
export type { StepServices, WebhookEndpointTarget } from './step-services';
export { parseStepSecrets, StepSecrets, type StepSecret } from './step-secrets';
export { builtInTaskTypes } from './built-in-task-types';
