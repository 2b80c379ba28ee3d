import { isRecord, ProviderHttp, type ProviderResponse } from './provider-http';

export interface OpenAiClientOptions {
  /** The API's base URL, `/v1` included: `https://api.openai.com/v1`, `http://localhost:11434/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Default: no header, as local servers expect. */
  apiKey?: string;
  /** Time limit of one request in ms. Default: 120000. */
  timeoutMs?: number;
  /** Names the server in error messages, e.g. `vllm`. Default: `openai`. */
  name?: string;
}

/** Per-call options of {@link OpenAiClient}. */
export interface OpenAiCallOptions {
  /** Aborting it ends the call with a retryable `aborted` error. */
  signal: AbortSignal;
  /** Sent as `Idempotency-Key`; use one key for every attempt of the same work. */
  idempotencyKey?: string;
}

export interface ChatMessage {
  /** `system`, `developer`, `user`, `assistant` or `tool`; servers may know others. */
  role: string;
  /** Text, or content parts such as `{type: 'text', text}` and `{type: 'image_url', image_url}`. */
  content: string | unknown[] | null;
  [field: string]: unknown;
}

/** A chat completion request; fields beyond these are passed through unchanged. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  [field: string]: unknown;
}

export interface ChatCompletionResponse {
  id: string;
  model: string;
  choices: {
    index: number;
    message: { role: string; content: string | null };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface EmbeddingsRequest {
  model: string;
  /** One text, or several: the answer has one vector per text, in `index` order. */
  input: string | string[];
  dimensions?: number;
  /** Only floats: base64 vectors are not decoded. */
  encoding_format?: 'float';
  [field: string]: unknown;
}

export interface EmbeddingsResponse {
  data: { embedding: number[]; index: number }[];
  model: string;
  usage?: { prompt_tokens: number; total_tokens: number };
}

export interface ImageGenerationRequest {
  model?: string;
  prompt: string;
  n?: number;
  size?: string;
  response_format?: 'url' | 'b64_json';
  [field: string]: unknown;
}

export interface ImageGenerationResponse {
  created: number;
  data: { url?: string; b64_json?: string; revised_prompt?: string }[];
}

export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  /** `mp3` (default), `opus`, `aac`, `flac`, `wav` or `pcm`; servers may support fewer. */
  response_format?: string;
  [field: string]: unknown;
}

export interface SpeechResponse {
  bytes: Buffer;
  /** The server's `Content-Type`, e.g. `audio/mpeg`; `application/octet-stream` when absent. */
  contentType: string;
}

export interface TranscriptionRequest {
  model: string;
  /** The audio file's bytes. */
  file: Buffer;
  /** The file's name; servers use its extension to tell the format. */
  filename: string;
  /** The file's media type, e.g. `audio/mpeg`. */
  contentType: string;
  /** ISO-639-1 code of the spoken language; improves accuracy and speed when known. */
  language?: string;
  /** Text that guides the style or vocabulary of the transcript. */
  prompt?: string;
}

export interface TranscriptionResponse {
  text: string;
  language?: string;
  /** Length of the audio in seconds. */
  duration?: number;
}

/**
 * A client for any OpenAI-compatible server: OpenAI, vLLM, Ollama, LocalAI. Each method sends one
 * request; retrying is the caller's choice, guided by {@link ProviderError.retryable}.
 */
export class OpenAiClient {
  private readonly http: ProviderHttp;

  constructor(options: OpenAiClientOptions) {
    this.http = new ProviderHttp({
      provider: options.name ?? 'openai',
      baseUrl: options.baseUrl,
      authorization: options.apiKey === undefined ? undefined : `Bearer ${options.apiKey}`,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  /** `POST /chat/completions`; the answer as the server sent it, checked to have choices. */
  async chatCompletion(
    body: ChatCompletionRequest,
    options: OpenAiCallOptions,
  ): Promise<ChatCompletionResponse> {
    const request = { method: 'POST', url: '/chat/completions' } as const;
    const { data } = await this.send(request, body, options);
    if (!isRecord(data) || !Array.isArray(data.choices)) {
      throw this.http.badResponse(request, 'no choices array');
    }
    if (!data.choices.every((choice) => isRecord(choice) && isRecord(choice.message))) {
      throw this.http.badResponse(request, 'a choice without a message');
    }
    return data as unknown as ChatCompletionResponse;
  }

  /** `POST /embeddings`; checked to hold one numeric vector per item. */
  async embeddings(
    body: EmbeddingsRequest,
    options: OpenAiCallOptions,
  ): Promise<EmbeddingsResponse> {
    const request = { method: 'POST', url: '/embeddings' } as const;
    const { data } = await this.send(request, body, options);
    if (!isRecord(data) || !Array.isArray(data.data)) {
      throw this.http.badResponse(request, 'no data array');
    }
    const vectors = data.data.every(
      (item) =>
        isRecord(item) &&
        Array.isArray(item.embedding) &&
        item.embedding.every((value) => typeof value === 'number'),
    );
    if (!vectors) throw this.http.badResponse(request, 'an item without a numeric embedding');
    return data as unknown as EmbeddingsResponse;
  }

  /** `POST /images/generations`; each item has a `url` or a `b64_json`, per `response_format`. */
  async imageGeneration(
    body: ImageGenerationRequest,
    options: OpenAiCallOptions,
  ): Promise<ImageGenerationResponse> {
    const request = { method: 'POST', url: '/images/generations' } as const;
    const { data } = await this.send(request, body, options);
    if (!isRecord(data) || !Array.isArray(data.data)) {
      throw this.http.badResponse(request, 'no data array');
    }
    const images = data.data.every(
      (item) =>
        isRecord(item) && (typeof item.url === 'string' || typeof item.b64_json === 'string'),
    );
    if (!images) throw this.http.badResponse(request, 'an image without url or b64_json');
    return data as unknown as ImageGenerationResponse;
  }

  /** `POST /audio/speech`; the audio bytes and their media type. */
  async speech(body: SpeechRequest, options: OpenAiCallOptions): Promise<SpeechResponse> {
    const request = { method: 'POST', url: '/audio/speech' } as const;
    const response = await this.send<Buffer>(request, body, options, 'bytes');
    const bytes = Buffer.from(response.data);
    if (bytes.length === 0) throw this.http.badResponse(request, 'no audio bytes');
    return {
      bytes,
      contentType: response.headers['content-type'] ?? 'application/octet-stream',
    };
  }

  /**
   * `POST /audio/transcriptions` as multipart/form-data with `response_format: verbose_json`, so
   * the answer includes the language and duration where the server reports them.
   */
  async transcription(
    input: TranscriptionRequest,
    options: OpenAiCallOptions,
  ): Promise<TranscriptionResponse> {
    const request = { method: 'POST', url: '/audio/transcriptions' } as const;
    const form = new FormData();
    form.append('model', input.model);
    form.append(
      'file',
      new Blob([new Uint8Array(input.file)], { type: input.contentType }),
      input.filename,
    );
    form.append('response_format', 'verbose_json');
    if (input.language !== undefined) form.append('language', input.language);
    if (input.prompt !== undefined) form.append('prompt', input.prompt);
    const { data } = await this.send(request, form, options);
    if (!isRecord(data) || typeof data.text !== 'string') {
      throw this.http.badResponse(request, 'no text');
    }
    return {
      text: data.text,
      ...(typeof data.language === 'string' ? { language: data.language } : {}),
      ...(typeof data.duration === 'number' ? { duration: data.duration } : {}),
    };
  }

  private send<T = unknown>(
    request: { method: 'POST'; url: string },
    body: unknown,
    options: OpenAiCallOptions,
    responseType: 'json' | 'bytes' = 'json',
  ): Promise<ProviderResponse<T>> {
    return this.http.request<T>({
      ...request,
      body,
      responseType,
      signal: options.signal,
      idempotencyKey: options.idempotencyKey,
    });
  }
}
