import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  FaultPlan,
  pathOf,
  pause,
  sendBytes,
  sendJson,
  startRecordingServer,
  type FakeFailure,
  type RecordedRequest,
} from './fake-http';

export type { FakeFailure, RecordedRequest } from './fake-http';

/** A 2×2 PNG, small enough to inline and valid enough for any image decoder. */
export const FAKE_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEElEQVQI12PQqDgBRAwQCgAk7gWhOu5PvwAAAABJRU5ErkJggg==';

/** How many dimensions the fake's embeddings have unless a request asks for `dimensions`. */
export const FAKE_EMBEDDING_DIMENSIONS = 8;

export interface FakeOpenAiOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. Default: no check. */
  apiKey?: string;
}

/** A fake OpenAI-compatible server on 127.0.0.1, speaking the real paths and body shapes. */
export interface FakeOpenAi {
  /** The base URL clients are configured with: `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /**
   * The next `count` requests (any path) are answered with `failure`; its body defaults to an
   * OpenAI error body `{error: {message, type, code}}` suited to the status.
   */
  failNext(count: number, failure: FakeFailure): void;
  /** The next `count` requests are answered only after `ms`, to make a client time out. */
  delayNext(count: number, ms: number): void;
  /** Forgets recorded requests and queued failures and delays. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the fake. It answers deterministically, so tests can assert exact outputs:
 * - `POST /v1/chat/completions` → `Fake completion for: <last user message>` (as `{"result": …}`
 *   JSON under `response_format: {type: 'json_object'}`), `n` choices;
 * - `POST /v1/embeddings` → unit vectors derived from each input's text;
 * - `POST /v1/images/generations` → a real PNG, as `b64_json` or as a URL served by the fake at
 *   `GET /files/<name>.png` (`response_format`, default `url`);
 * - `POST /v1/audio/speech` → bytes typed by `response_format` (default `audio/mpeg`);
 * - `POST /v1/audio/transcriptions` (multipart) → `{text, language, duration}` for `verbose_json`.
 * A bad key's 401 echoes the key it was given (OpenAI masks it), so tests prove clients redact.
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const faults = new FaultPlan();
  const files = new Set<string>();
  let sequence = 0;
  const server = await startRecordingServer(async (request, response) => {
    const { delayMs, failure } = faults.take();
    if (delayMs !== undefined) await pause(delayMs, response);
    if (failure !== undefined) {
      sendJson(response, failure.status, failure.body ?? openAiErrorBody(failure.status), {
        ...failure.headers,
      });
      return;
    }
    const path = pathOf(request);
    if (request.method === 'GET' && path.startsWith('/files/')) {
      const name = path.slice('/files/'.length);
      if (files.has(name))
        sendBytes(response, 200, Buffer.from(FAKE_PNG_BASE64, 'base64'), 'image/png');
      else sendError(response, 404, `No such file: ${name}`, 'invalid_request_error', null);
      return;
    }
    if (options.apiKey !== undefined) {
      const presented = request.headers.authorization ?? '';
      if (presented !== `Bearer ${options.apiKey}`) {
        const message =
          presented === ''
            ? "You didn't provide an API key."
            : `Incorrect API key provided: ${presented.replace(/^Bearer\s+/i, '')}.`;
        sendError(response, 401, message, 'invalid_request_error', 'invalid_api_key');
        return;
      }
    }
    sequence += 1;
    const route = `${request.method} ${path}`;
    switch (route) {
      case 'POST /v1/chat/completions':
        return chatCompletion(request, response, sequence);
      case 'POST /v1/embeddings':
        return embeddings(request, response);
      case 'POST /v1/images/generations':
        return imageGeneration(request, response, sequence, server.origin, files);
      case 'POST /v1/audio/speech':
        return speech(request, response);
      case 'POST /v1/audio/transcriptions':
        return transcription(request, response);
      default:
        return sendError(response, 404, `Invalid URL (${route})`, 'invalid_request_error', null);
    }
  });

  return {
    url: `${server.origin}/v1`,
    requests: server.requests,
    failNext: (count, failure) => faults.failNext(count, failure),
    delayNext: (count, ms) => faults.delayNext(count, ms),
    reset: () => {
      server.requests.length = 0;
      faults.reset();
    },
    close: () => server.close(),
  };
}

function chatCompletion(request: RecordedRequest, response: ServerResponse, n: number): void {
  const body = jsonBody(request, response);
  if (body === undefined) return;
  if (typeof body.model !== 'string') return missing(response, 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return missing(response, 'messages');
  }
  const lastUser = [...(body.messages as unknown[])].reverse().find(isUserMessage);
  const prompt = lastUser === undefined ? '' : messageText(lastUser.content);
  const text = `Fake completion for: ${prompt}`;
  const format = isRecord(body.response_format) ? body.response_format.type : undefined;
  const content = format === 'json_object' ? JSON.stringify({ result: text }) : text;
  const choices = typeof body.n === 'number' && body.n > 1 ? Math.min(body.n, 8) : 1;
  const promptTokens = wordCount(
    (body.messages as unknown[]).map((m) => (isRecord(m) ? messageText(m.content) : '')).join(' '),
  );
  const completionTokens = wordCount(content);
  sendJson(response, 200, {
    id: `chatcmpl-fake-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: Array.from({ length: choices }, (_, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    })),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens * choices,
      total_tokens: promptTokens + completionTokens * choices,
    },
  });
}

function embeddings(request: RecordedRequest, response: ServerResponse): void {
  const body = jsonBody(request, response);
  if (body === undefined) return;
  if (typeof body.model !== 'string') return missing(response, 'model');
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every(isString)) {
    return missing(response, 'input');
  }
  const dimensions =
    typeof body.dimensions === 'number' && body.dimensions > 0
      ? Math.min(Math.floor(body.dimensions), 64)
      : FAKE_EMBEDDING_DIMENSIONS;
  const tokens = inputs.reduce((sum, text) => sum + wordCount(text), 0);
  sendJson(response, 200, {
    object: 'list',
    data: inputs.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: fakeEmbedding(text, dimensions),
    })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** The vector the fake returns for `text`: same text, same unit vector, whatever the request. */
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from(
    { length: dimensions },
    (_, i) => (digest[i % digest.length] ?? 0) - 127.5,
  );
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

function imageGeneration(
  request: RecordedRequest,
  response: ServerResponse,
  n: number,
  origin: string,
  files: Set<string>,
): void {
  const body = jsonBody(request, response);
  if (body === undefined) return;
  if (typeof body.prompt !== 'string' || body.prompt === '') return missing(response, 'prompt');
  const format = body.response_format ?? 'url';
  if (format !== 'url' && format !== 'b64_json') {
    return sendError(
      response,
      400,
      `Invalid value: ${JSON.stringify(format)}. Supported values are: 'url' and 'b64_json'.`,
      'invalid_request_error',
      'invalid_value',
    );
  }
  const count = typeof body.n === 'number' && body.n > 1 ? Math.min(body.n, 4) : 1;
  sendJson(response, 200, {
    created: Math.floor(Date.now() / 1000),
    data: Array.from({ length: count }, (_, index) => {
      const revised_prompt = body.prompt as string;
      if (format === 'b64_json') return { b64_json: FAKE_PNG_BASE64, revised_prompt };
      const name = `img-${n}-${index}.png`;
      files.add(name);
      return { url: `${origin}/files/${name}`, revised_prompt };
    }),
  });
}

const SPEECH_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

function speech(request: RecordedRequest, response: ServerResponse): void {
  const body = jsonBody(request, response);
  if (body === undefined) return;
  if (typeof body.input !== 'string' || body.input === '') return missing(response, 'input');
  if (typeof body.voice !== 'string') return missing(response, 'voice');
  const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
  const contentType = SPEECH_TYPES[format] ?? 'audio/mpeg';
  // An ID3 tag header, then the input: recognisable as "audio" and checkable byte for byte.
  const bytes = Buffer.concat([
    Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'),
    Buffer.from(body.input),
  ]);
  sendBytes(response, 200, bytes, contentType);
}

function transcription(request: RecordedRequest, response: ServerResponse): void {
  const form = request.form;
  if (form === undefined) {
    return sendError(response, 400, 'Expected multipart/form-data.', 'invalid_request_error', null);
  }
  const file = form.file;
  if (file === undefined || typeof file === 'string') return missing(response, 'file');
  if (typeof form.model !== 'string') return missing(response, 'model');
  const text = `Fake transcription of ${file.filename} (${file.size} bytes)`;
  const language = typeof form.language === 'string' ? form.language : 'english';
  const duration = Math.round((file.size / 16_000) * 100) / 100;
  const format = typeof form.response_format === 'string' ? form.response_format : 'json';
  if (format === 'text') {
    sendBytes(response, 200, Buffer.from(text), 'text/plain; charset=utf-8');
  } else if (format === 'verbose_json') {
    sendJson(response, 200, {
      task: 'transcribe',
      language,
      duration,
      text,
      segments: [{ id: 0, start: 0, end: duration, text }],
    });
  } else {
    sendJson(response, 200, { text });
  }
}

function openAiErrorBody(status: number): unknown {
  if (status === 429) {
    return {
      error: {
        message: 'Rate limit reached for requests. Please try again later.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
    };
  }
  if (status >= 500) {
    return {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        code: null,
      },
    };
  }
  return {
    error: { message: `Fake failure (${status}).`, type: 'invalid_request_error', code: null },
  };
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): void {
  sendJson(response, status, { error: { message, type, param, code } });
}

function missing(response: ServerResponse, param: string): void {
  sendError(
    response,
    400,
    `'${param}' is a required property`,
    'invalid_request_error',
    null,
    param,
  );
}

/** The JSON object body, or undefined after answering 400 for a missing or broken one. */
function jsonBody(
  request: RecordedRequest,
  response: ServerResponse,
): Record<string, unknown> | undefined {
  if (isRecord(request.json)) return request.json;
  sendError(
    response,
    400,
    'We could not parse the JSON body of your request.',
    'invalid_request_error',
    null,
  );
  return undefined;
}

function isUserMessage(message: unknown): message is { role: 'user'; content: unknown } {
  return isRecord(message) && message.role === 'user';
}

/** The text of a message's content, a string or an array of `{type: 'text', text}` parts. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join(' ');
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
