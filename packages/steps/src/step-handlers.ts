import { analysisStepHandlers } from './analysis-steps';
import { CORE_STEP_HANDLERS } from './core-steps';
import { dataStepHandlers } from './data-steps';
import { httpStepHandlers } from './http-step';
import { imageStepHandlers } from './image-steps';
import { mediaStepHandlers } from './media-steps';
import type { StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';
import { textStepHandlers } from './text-steps';
import { webhookStepHandlers } from './webhook-step';

/** A handler for every task type core declares, bound to the worker's providers and stores. */
export function createStepHandlers(services: StepServices): Readonly<Record<string, StepHandler>> {
  return Object.freeze({
    ...CORE_STEP_HANDLERS,
    ...textStepHandlers(services),
    ...imageStepHandlers(services),
    ...mediaStepHandlers(services),
    ...analysisStepHandlers(),
    ...dataStepHandlers(services),
    ...webhookStepHandlers(services),
    ...httpStepHandlers(services),
  });
}
