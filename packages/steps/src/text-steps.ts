import { createHash } from 'node:crypto';
import { NonRetriableStepError } from '@weft/core';
import { localProvider } from '@weft/providers';
import { modelOf, openAiClient, route } from './provider-calls';
import type { StepContext, StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';

interface ChatMessage {
  role: string;
  content: string;
  [field: string]: unknown;
}

/** What the local provider calls itself wherever a response names its model. */
export const LOCAL_TEXT_MODEL = 'weft-local-template';

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** An OpenAI-shaped completion from the local template, saying which model it stands in for. */
async function localCompletion(messages: ChatMessage[], maxTokens: number | undefined) {
  const { generateText } = await localProvider();
  const content = generateText({ messages, ...(maxTokens !== undefined ? { maxTokens } : {}) });
  const prompt = messages.map((message) => message.content).join('\n');
  const promptTokens = estimateTokens(prompt);
  const completionTokens = estimateTokens(content);
  return {
    id: `local-${createHash('sha256').update(prompt).digest('hex').slice(0, 24)}`,
    object: 'chat.completion',
    model: LOCAL_TEXT_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function wrongFamily(task: string, modelId: string, provider: string): never {
  throw new NonRetriableStepError(
    'provider_mismatch',
    `${task} speaks the OpenAI protocol, but model "${modelId}" is routed to ${provider}`,
  );
}

async function complete(
  services: StepServices,
  context: StepContext,
  task: string,
  modelId: string,
  body: Record<string, unknown> & { messages: ChatMessage[]; max_tokens?: number },
) {
  const target = route(services, 'openai', modelId);
  if (target.provider === 'local') return localCompletion(body.messages, body.max_tokens);
  if (target.provider !== 'openai' || !target.endpoint) {
    return wrongFamily(task, modelId, target.provider);
  }
  const client = openAiClient(target.endpoint);
  return client.chatCompletion(
    { ...body, model: target.model },
    { signal: context.signal, idempotencyKey: context.idempotencyKey },
  );
}

/**
 * Embeds texts with the given model, or the app default: an OpenAI-compatible embeddings call, or
 * the local provider's feature hashing.
 */
export async function embedTexts(
  services: StepServices,
  context: StepContext,
  texts: string[],
  modelId = services.providers.defaults.embeddingModel,
  dimensions?: number,
): Promise<{ vectors: number[][]; model: string }> {
  const target = route(services, 'openai', modelId);
  if (target.provider === 'local') {
    const { embedText } = await localProvider();
    return {
      vectors: texts.map((text) => embedText(text, dimensions)),
      model: 'weft-local-feature-hashing',
    };
  }
  if (target.provider !== 'openai' || !target.endpoint) {
    return wrongFamily('embeddings', modelId, target.provider);
  }
  const client = openAiClient(target.endpoint);
  const response = await client.embeddings(
    {
      model: target.model,
      input: texts,
      ...(dimensions !== undefined ? { dimensions } : {}),
    },
    { signal: context.signal, idempotencyKey: context.idempotencyKey },
  );
  const vectors: number[][] = [];
  for (const item of response.data) vectors[item.index] = item.embedding;
  if (vectors.length !== texts.length || vectors.some((vector) => vector === undefined)) {
    throw new NonRetriableStepError(
      'provider_bad_response',
      `the provider returned ${response.data.length} embeddings for ${texts.length} inputs`,
    );
  }
  return { vectors, model: response.model ?? target.model };
}

/** openai/chat-completion, openai/embeddings and text_generate. */
export function textStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    'openai/chat-completion': (inputs, context) =>
      complete(
        services,
        context,
        'openai/chat-completion',
        modelOf(context, 'openai/chat-completion'),
        inputs as Record<string, unknown> & { messages: ChatMessage[] },
      ),

    'openai/embeddings': async (inputs, context) => {
      const input = inputs.input as string | string[];
      const texts = typeof input === 'string' ? [input] : input;
      const { vectors, model } = await embedTexts(
        services,
        context,
        texts,
        modelOf(context, 'openai/embeddings'),
        inputs.dimensions as number | undefined,
      );
      return { data: vectors.map((embedding, index) => ({ embedding, index })), model };
    },

    text_generate: async (inputs, context) => {
      const messages: ChatMessage[] = [
        ...(typeof inputs.system === 'string' ? [{ role: 'system', content: inputs.system }] : []),
        { role: 'user', content: inputs.prompt as string },
      ];
      const completion = await complete(
        services,
        context,
        'text_generate',
        context.model_id ?? services.providers.defaults.textModel,
        {
          messages,
          ...(typeof inputs.max_tokens === 'number' ? { max_tokens: inputs.max_tokens } : {}),
        },
      );
      const text = completion.choices[0]?.message.content;
      if (typeof text !== 'string') {
        throw new NonRetriableStepError('provider_bad_response', 'the completion has no text');
      }
      return { text };
    },
  };
}
