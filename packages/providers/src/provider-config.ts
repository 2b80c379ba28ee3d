import { readFileSync } from 'node:fs';

/** Who serves a model: an OpenAI-compatible server, fal's queue, or Weft's offline stand-in. */
export type ProviderName = 'openai' | 'fal' | 'local';

/** How to reach one provider. The key is held in memory only: never logged, never returned. */
export interface ProviderEndpoint {
  baseUrl: string;
  apiKey?: string;
}

/** Where one model goes, from the provider config file. */
export interface ModelRoute {
  provider: ProviderName;
  /** The provider's own name for the model, when it differs from the workflow's model_id. */
  model?: string;
  /** Another server of the same protocol, e.g. a vLLM for this model alone. */
  baseUrl?: string;
  /** Names the environment variable holding this route's key: keys never sit in the file. */
  apiKeyEnv?: string;
  /** The key `apiKeyEnv` named, read with the rest of the configuration; in memory only. */
  apiKey?: string;
}

/** Every provider setting a worker runs with. */
export interface ProviderConfig {
  /** Absent: not configured, and its tasks fall back to the local provider. */
  openai?: ProviderEndpoint;
  fal?: ProviderEndpoint;
  /** Per-model overrides, by the model_id workflows use. */
  models: Readonly<Record<string, ModelRoute>>;
  /** The models Weft's own step types use: image_generate, text_generate, embeddings. */
  defaults: { imageModel: string; textModel: string; embeddingModel: string };
  /** Poll interval for fal's queue. */
  falPollIntervalMs: number;
}

/** A provider setting that cannot work; the message names the variable or file at fault. */
export class ProviderConfigError extends Error {
  override name = 'ProviderConfigError';
}

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const FAL_DEFAULT_BASE_URL = 'https://queue.fal.run';

function endpoint(
  baseUrl: string | undefined,
  apiKey: string | undefined,
  fallbackBaseUrl: string,
  variable: string,
): ProviderEndpoint | undefined {
  const base = baseUrl?.trim();
  const key = apiKey?.trim();
  if (!base && !key) return undefined;
  const url = base || fallbackBaseUrl;
  checkBaseUrl(url, variable);
  return { baseUrl: url.replace(/\/+$/, ''), ...(key ? { apiKey: key } : {}) };
}

function checkBaseUrl(url: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProviderConfigError(`${source} is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ProviderConfigError(`${source} must be an http(s) URL`);
  }
  if (parsed.username || parsed.password) {
    throw new ProviderConfigError(`${source} must not hold credentials; use the key variable`);
  }
}

function readModelRoutes(path: string, env: NodeJS.ProcessEnv): Record<string, ModelRoute> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ProviderConfigError(
      `WEFT_PROVIDERS_FILE ${path} cannot be read as JSON: ${(error as Error).message}`,
    );
  }
  const models = (parsed as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null || Array.isArray(models)) {
    throw new ProviderConfigError(`${path}: expected {"models": {"<model_id>": {...}}}`);
  }
  const routes: Record<string, ModelRoute> = {};
  for (const [modelId, value] of Object.entries(models as Record<string, unknown>)) {
    const where = `${path}: models["${modelId}"]`;
    const route = value as Partial<Record<keyof ModelRoute | 'apiKey', unknown>>;
    if (typeof value !== 'object' || value === null) {
      throw new ProviderConfigError(`${where} must be an object`);
    }
    if ('apiKey' in route) {
      throw new ProviderConfigError(`${where} holds a key; name its variable in apiKeyEnv instead`);
    }
    if (route.provider !== 'openai' && route.provider !== 'fal' && route.provider !== 'local') {
      throw new ProviderConfigError(`${where}.provider must be "openai", "fal" or "local"`);
    }
    for (const field of ['model', 'baseUrl', 'apiKeyEnv'] as const) {
      if (route[field] !== undefined && typeof route[field] !== 'string') {
        throw new ProviderConfigError(`${where}.${field} must be a string`);
      }
    }
    if (typeof route.baseUrl === 'string') checkBaseUrl(route.baseUrl, `${where}.baseUrl`);
    const apiKey = typeof route.apiKeyEnv === 'string' ? env[route.apiKeyEnv]?.trim() : undefined;
    routes[modelId] = {
      provider: route.provider,
      ...(typeof route.model === 'string' ? { model: route.model } : {}),
      ...(typeof route.baseUrl === 'string' ? { baseUrl: route.baseUrl.replace(/\/+$/, '') } : {}),
      ...(typeof route.apiKeyEnv === 'string' ? { apiKeyEnv: route.apiKeyEnv } : {}),
      ...(apiKey ? { apiKey } : {}),
    };
  }
  return routes;
}

/**
 * Reads provider settings: `OPENAI_BASE_URL` / `OPENAI_API_KEY` (either one configures the
 * OpenAI-compatible provider; the base URL includes `/v1`), `FAL_BASE_URL` / `FAL_KEY`,
 * `WEFT_PROVIDERS_FILE` (per-model routes), `WEFT_IMAGE_MODEL`, `WEFT_TEXT_MODEL`,
 * `WEFT_EMBEDDING_MODEL` and `FAL_POLL_INTERVAL_MS`. With none of them, every task runs on the
 * offline local provider.
 */
export function readProviderConfig(env: NodeJS.ProcessEnv): ProviderConfig {
  const openai = endpoint(
    env.OPENAI_BASE_URL,
    env.OPENAI_API_KEY,
    OPENAI_DEFAULT_BASE_URL,
    'OPENAI_BASE_URL',
  );
  const fal = endpoint(env.FAL_BASE_URL, env.FAL_KEY, FAL_DEFAULT_BASE_URL, 'FAL_BASE_URL');
  const file = env.WEFT_PROVIDERS_FILE?.trim();
  const pollText = env.FAL_POLL_INTERVAL_MS?.trim();
  const poll = pollText ? Number(pollText) : 1000;
  if (!Number.isInteger(poll) || poll < 10 || poll > 60_000) {
    throw new ProviderConfigError('FAL_POLL_INTERVAL_MS must be an integer from 10 to 60000');
  }
  return {
    ...(openai ? { openai } : {}),
    ...(fal ? { fal } : {}),
    models: file ? readModelRoutes(file, env) : {},
    defaults: {
      imageModel:
        env.WEFT_IMAGE_MODEL?.trim() || (fal ? 'fal-ai/flux/schnell' : 'local/prompt-card'),
      textModel: env.WEFT_TEXT_MODEL?.trim() || (openai ? 'gpt-4o-mini' : 'local/template'),
      embeddingModel:
        env.WEFT_EMBEDDING_MODEL?.trim() ||
        (openai ? 'text-embedding-3-small' : 'local/feature-hashing'),
    },
    falPollIntervalMs: poll,
  };
}

/** Where a call for `modelId` on a task of `family` goes, with the endpoint and upstream model. */
export interface ResolvedRoute {
  provider: ProviderName;
  /** The model name to send the provider. */
  model: string;
  endpoint?: ProviderEndpoint;
}

/**
 * Routes a model: its override in the config file first, else the task family's provider when
 * configured, else the local provider. Models named `local/…` always run locally. A route's key is
 * the one read with the configuration, or the variable it names in `env` when one is given.
 */
export function routeModel(
  config: ProviderConfig,
  family: 'openai' | 'fal',
  modelId: string,
  env?: NodeJS.ProcessEnv,
): ResolvedRoute {
  const route = config.models[modelId];
  if (route) {
    if (route.provider === 'local') return { provider: 'local', model: route.model ?? modelId };
    const base = config[route.provider];
    const baseUrl = route.baseUrl ?? base?.baseUrl;
    const apiKey = !route.apiKeyEnv
      ? base?.apiKey
      : env
        ? env[route.apiKeyEnv]?.trim()
        : route.apiKey;
    if (!baseUrl) {
      throw new ProviderConfigError(
        `model "${modelId}" is routed to ${route.provider}, which has no base URL configured`,
      );
    }
    return {
      provider: route.provider,
      model: route.model ?? modelId,
      endpoint: { baseUrl, ...(apiKey ? { apiKey } : {}) },
    };
  }
  if (modelId.startsWith('local/')) return { provider: 'local', model: modelId };
  const endpointFor = config[family];
  return endpointFor
    ? { provider: family, model: modelId, endpoint: endpointFor }
    : { provider: 'local', model: modelId };
}
