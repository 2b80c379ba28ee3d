import { NonRetriableStepError } from '@weft/core';
import { VectorMismatchError } from '@weft/store';
import { embedTexts } from './text-steps';
import type { StepContext, StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';

async function vectorFor(
  services: StepServices,
  context: StepContext,
  inputs: Record<string, unknown>,
): Promise<number[]> {
  if (Array.isArray(inputs.vector)) return inputs.vector as number[];
  const { vectors } = await embedTexts(services, context, [inputs.text as string]);
  return vectors[0]!;
}

/** A vector that does not fit its index will not fit on a retry either. */
async function withVectors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VectorMismatchError) {
      throw new NonRetriableStepError(error.code, error.message);
    }
    throw error;
  }
}

/** store_results and search_similar: an app's result collections and vector indexes. */
export function dataStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    store_results: async (inputs, context) => {
      const document = inputs.document as Record<string, unknown>;
      const collection = inputs.collection as string;
      // Keyed by run and node: a redelivered or retried step stores its document once.
      const stored = await services.results.insert({
        appId: context.appId,
        collection,
        document,
        runId: context.runId,
        nodeId: context.nodeId,
        writeKey: `${context.runId}:${context.nodeId}`,
      });
      if (typeof inputs.index !== 'string') return { id: stored.id, collection };
      const index = inputs.index;
      const vector = await vectorFor(services, context, inputs);
      await withVectors(() =>
        // The item shares the result's id, so a match leads back to the stored document.
        services.vectors.upsert(context.appId, index, {
          id: stored.id,
          vector,
          metadata: document,
        }),
      );
      return { id: stored.id, collection, index };
    },

    search_similar: async (inputs, context) => {
      const vector = await vectorFor(services, context, inputs);
      const topK = (inputs.top_k as number | undefined) ?? 5;
      const matches = await withVectors(() =>
        services.vectors.search(context.appId, inputs.index as string, vector, topK),
      );
      return { matches };
    },
  };
}
