export { ProviderError } from './provider-error';
export {
  ProviderConfigError,
  readProviderConfig,
  routeModel,
  type ModelRoute,
  type ProviderConfig,
  type ProviderEndpoint,
  type ProviderName,
  type ResolvedRoute,
} from './provider-config';
export {
  errorFromResponse,
  parseRetryAfter,
  ProviderHttp,
  type ProviderErrorCode,
  type ProviderHttpOptions,
  type ProviderRequest,
  type ProviderResponse,
} from './provider-http';
export {
  OpenAiClient,
  type ChatCompletionRequest,
  type ChatCompletionResponse,
  type ChatMessage,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  type ImageGenerationRequest,
  type ImageGenerationResponse,
  type OpenAiCallOptions,
  type OpenAiClientOptions,
  type SpeechRequest,
  type SpeechResponse,
  type TranscriptionRequest,
  type TranscriptionResponse,
} from './openai-client';
export {
  FalClient,
  type FalClientOptions,
  type FalLog,
  type FalQueueStatus,
  type FalRunOptions,
  type FalStatusDetail,
} from './fal-client';
export { localProvider, type LocalProvider } from './local-provider';
export type {
  ImageDescription,
  ModerationCategory,
  ModerationMatch,
  ModerationResult,
  PromptCardOptions,
  TextAnalysis,
} from './local';
