import { NonRetriableStepError } from '@weft/core';
import { localProvider } from '@weft/providers';
import type { StepHandler } from '@weft/worker';

/**
 * enrich_text and moderate_content, on the local provider's libraries: an NLP library for keywords,
 * language and sentiment; word lists and patterns for moderation. Both say what they checked.
 */
export function analysisStepHandlers(): Record<string, StepHandler> {
  return {
    enrich_text: async (inputs) => (await localProvider()).analyzeText(inputs.text as string),

    moderate_content: async (inputs) => {
      // Word lists read text; judging an image's content would need a model, so it is not claimed.
      if (typeof inputs.text !== 'string') {
        throw new NonRetriableStepError(
          'provider_not_configured',
          'moderate_content checks text with word lists and patterns; images need a moderation model, which is not configured',
        );
      }
      const verdict = (await localProvider()).moderateText(inputs.text);
      return {
        ...verdict,
        checked: ['text'],
        ...(typeof inputs.image_url === 'string' ? { unchecked: ['image'] } : {}),
      };
    },
  };
}
