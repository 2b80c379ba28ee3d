import { NonRetriableStepError } from '@weft/core';
import {
  FalClient,
  OpenAiClient,
  routeModel,
  type ProviderEndpoint,
  type ResolvedRoute,
} from '@weft/providers';
import type { StepContext } from '@weft/worker';
import type { StepServices } from './step-services';

// One client per endpoint: axios instances keep their connections alive between steps.
const openAiClients = new Map<string, OpenAiClient>();
const falClients = new Map<string, FalClient>();

function clientKey(endpoint: ProviderEndpoint): string {
  return `${endpoint.baseUrl}\n${endpoint.apiKey ?? ''}`;
}

export function openAiClient(endpoint: ProviderEndpoint): OpenAiClient {
  const key = clientKey(endpoint);
  let client = openAiClients.get(key);
  if (!client) {
    client = new OpenAiClient({
      baseUrl: endpoint.baseUrl,
      ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
    });
    openAiClients.set(key, client);
  }
  return client;
}

export function falClient(endpoint: ProviderEndpoint, pollIntervalMs: number): FalClient {
  const key = `${clientKey(endpoint)}\n${pollIntervalMs}`;
  let client = falClients.get(key);
  if (!client) {
    client = new FalClient({
      baseUrl: endpoint.baseUrl,
      ...(endpoint.apiKey ? { key: endpoint.apiKey } : {}),
      pollIntervalMs,
    });
    falClients.set(key, client);
  }
  return client;
}

/** Where this attempt's model goes. A route the config cannot serve fails without retries. */
export function route(
  services: StepServices,
  family: 'openai' | 'fal',
  modelId: string,
): ResolvedRoute {
  try {
    return routeModel(services.providers, family, modelId);
  } catch (error) {
    throw new NonRetriableStepError('provider_not_configured', (error as Error).message);
  }
}

/** The node's model_id; provider tasks are checked to have one, so this guards old messages. */
export function modelOf(context: StepContext, task: string): string {
  if (!context.model_id) {
    throw new NonRetriableStepError('missing_model', `${task} needs a model_id`);
  }
  return context.model_id;
}

/** The local provider refuses work no offline code can do honestly (video, speech, edits). */
export function localCannot(task: string, family: 'openai' | 'fal', what: string): never {
  const variables = family === 'openai' ? 'OPENAI_BASE_URL or OPENAI_API_KEY' : 'FAL_KEY';
  throw new NonRetriableStepError(
    'provider_not_configured',
    `${task} needs a provider: set ${variables}. The offline local provider does not ${what}.`,
  );
}
