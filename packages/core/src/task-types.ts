import type { TaskCategory } from '@weft/contract';
import type { RetryPolicy } from './definition-types';
import type { JsonSchema } from './json-schema';

export type { TaskCategory };

/**
 * A task type as data: what it needs and what it returns. The schemas drive validation
 * (invalid_inputs, type issues), the editor's payload fields and reference chips, and the worker's
 * input check.
 */
export interface TaskType {
  name: string;
  category: TaskCategory;
  description: string;
  /** True when a node of this type must select a model (missing_model otherwise). */
  needsModel: boolean;
  /** Known models; a node's model_id must be one of them. Empty: any model (or none) is accepted. */
  models: readonly string[];
  /**
   * Inputs. Provider tasks allow extra fields (passed through to the provider, with a warning);
   * Weft's own step types list every field.
   */
  inputSchema: JsonSchema;
  /** Result. Objects listing `properties` are read as closed when checking reference paths. */
  outputSchema: JsonSchema;
  /** The retry policy of its nodes that set none (registered types may say). Default: none. */
  retry?: RetryPolicy;
  /** The per-attempt timeout of its nodes that set none, seconds. Default: none. */
  timeout?: number;
}

const text = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  description,
  ...extra,
});
const integer = (description: string, minimum: number, maximum?: number): JsonSchema => ({
  type: 'integer',
  description,
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
});
const url = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });

const imageFile: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: text('URL of the image'),
    width: { type: 'integer' },
    height: { type: 'integer' },
    content_type: text('MIME type, e.g. image/png'),
  },
};
const imagesOutput: JsonSchema = {
  type: 'object',
  required: ['images'],
  properties: { images: { type: 'array', items: imageFile }, seed: { type: 'integer' } },
};
const videoOutput: JsonSchema = {
  type: 'object',
  required: ['video'],
  properties: {
    video: {
      type: 'object',
      required: ['url'],
      properties: {
        url: text('URL of the video'),
        content_type: { type: 'string' },
        file_size: { type: 'integer' },
      },
    },
    seed: { type: 'integer' },
  },
};
const imageSize: JsonSchema = {
  description: 'A preset name or an explicit {width, height}',
  anyOf: [
    {
      type: 'string',
      enum: [
        'square_hd',
        'square',
        'portrait_4_3',
        'portrait_16_9',
        'landscape_4_3',
        'landscape_16_9',
      ],
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['width', 'height'],
      properties: { width: integer('pixels', 64, 4096), height: integer('pixels', 64, 4096) },
    },
  ],
};
const videoFrames = {
  num_frames: integer('Frames to generate', 1, 1000),
  fps: integer('Frames per second', 1, 60),
  resolution: { type: 'string', enum: ['480p', '580p', '720p', '1080p'] },
  seed: { type: 'integer' },
  negative_prompt: { type: 'string' },
} satisfies Record<string, JsonSchema>;

/** Open provider input: declared fields are checked, others pass through to the provider. */
const providerInput = (required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: true,
});
/** Closed input of a Weft step type: every field is declared. */
const stepInput = (
  required: string[],
  properties: Record<string, JsonSchema>,
  extra: JsonSchema = {},
): JsonSchema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
  ...extra,
});

/** The methods an `http_request` step sends. */
export const HTTP_REQUEST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** What an `http_request` step does when its inputs leave it out. */
export const HTTP_REQUEST_DEFAULTS = Object.freeze({
  method: 'GET',
  timeout_ms: 15_000,
  fail_on_status: true,
} as const);

/** A secret's name in a worker's configuration, as steps refer to it. */
export const SECRET_NAME_PATTERN = '^[A-Z][A-Z0-9_]{0,63}$';

const TASK_TYPE_LIST: readonly TaskType[] = [
  {
    name: 'openai/chat-completion',
    category: 'text',
    description: 'Chat completion with an OpenAI-compatible model.',
    needsModel: true,
    models: ['Qwen/Qwen3.5-4B', 'gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'],
    inputSchema: providerInput(['messages'], {
      messages: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: {
            role: { type: 'string', enum: ['system', 'user', 'assistant', 'tool', 'developer'] },
            content: text('Message text'),
          },
        },
      },
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      max_tokens: integer('Upper bound on generated tokens', 1),
      top_p: { type: 'number', minimum: 0, maximum: 1 },
    }),
    outputSchema: {
      type: 'object',
      required: ['choices'],
      properties: {
        id: { type: 'string' },
        model: { type: 'string' },
        choices: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: {
              index: { type: 'integer' },
              message: {
                type: 'object',
                required: ['content'],
                properties: { role: { type: 'string' }, content: text('Generated text') },
              },
              finish_reason: { type: 'string' },
            },
          },
        },
        usage: {
          type: 'object',
          properties: {
            prompt_tokens: { type: 'integer' },
            completion_tokens: { type: 'integer' },
            total_tokens: { type: 'integer' },
          },
        },
      },
    },
  },
  {
    name: 'openai/embeddings',
    category: 'text',
    description: 'Embeds text (one string or a list) into vectors.',
    needsModel: true,
    models: ['text-embedding-3-small', 'text-embedding-3-large'],
    inputSchema: providerInput(['input'], {
      input: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description: 'Text or texts to embed',
      },
      dimensions: integer('Vector size, where the model supports it', 1),
    }),
    outputSchema: {
      type: 'object',
      required: ['data'],
      properties: {
        data: {
          type: 'array',
          items: {
            type: 'object',
            required: ['embedding', 'index'],
            properties: {
              embedding: { type: 'array', items: { type: 'number' } },
              index: { type: 'integer' },
            },
          },
        },
        model: { type: 'string' },
      },
    },
  },
  {
    name: 'fal/text-to-image',
    category: 'image',
    description: 'Generates images from a text prompt.',
    needsModel: true,
    models: ['fal-ai/flux/schnell', 'fal-ai/flux/dev'],
    inputSchema: providerInput(['prompt'], {
      prompt: text('What to draw', { minLength: 1 }),
      image_size: imageSize,
      num_images: integer('Images to generate', 1, 4),
      seed: { type: 'integer' },
    }),
    outputSchema: imagesOutput,
  },
  {
    name: 'fal/image-to-image',
    category: 'image',
    description: 'Edits an image following a text prompt.',
    needsModel: true,
    models: ['fal-ai/flux/dev/image-to-image'],
    inputSchema: providerInput(['image_url', 'prompt'], {
      image_url: url('Image to edit'),
      prompt: text('The edit to make', { minLength: 1 }),
      strength: { type: 'number', minimum: 0, maximum: 1 },
      num_images: integer('Images to generate', 1, 4),
      seed: { type: 'integer' },
    }),
    outputSchema: imagesOutput,
  },
  {
    name: 'fal/text-to-video',
    category: 'video',
    description: 'Generates a video clip from a text prompt.',
    needsModel: true,
    models: ['fal-ai/wan/v2.2-5b'],
    inputSchema: providerInput(['prompt'], {
      prompt: text('What happens in the clip', { minLength: 1 }),
      ...videoFrames,
    }),
    outputSchema: videoOutput,
  },
  {
    name: 'fal/image-to-video',
    category: 'video',
    description: 'Animates an image into a video clip.',
    needsModel: true,
    models: ['fal-ai/wan/v2.2-5b/image-to-video'],
    inputSchema: providerInput(['image_url'], {
      image_url: url('Image to animate'),
      prompt: text('How it moves'),
      ...videoFrames,
    }),
    outputSchema: videoOutput,
  },
  {
    name: 'fal/speech-to-video',
    category: 'video',
    description: 'Generates a talking video from speech audio, optionally from a reference image.',
    needsModel: true,
    models: ['fal-ai/wan/v2.2-14b/speech-to-video'],
    inputSchema: providerInput(['audio_url'], {
      audio_url: url('Speech audio'),
      image_url: url('Reference image of the speaker'),
      prompt: text('Scene description'),
      ...videoFrames,
    }),
    outputSchema: videoOutput,
  },
  {
    name: 'fal/video-interpolation',
    category: 'video',
    description: 'Adds interpolated frames to a video for smoother motion.',
    needsModel: true,
    models: ['fal-ai/rife/video', 'fal-ai/film/video'],
    inputSchema: providerInput(['video_url'], {
      video_url: url('Video to interpolate'),
      num_frames: integer('Frames to insert between each pair', 1, 16),
      fps: integer('Output frames per second', 1, 120),
    }),
    outputSchema: videoOutput,
  },
  {
    name: 'openai/audio-speech',
    category: 'audio',
    description: 'Text to speech.',
    needsModel: true,
    models: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
    inputSchema: providerInput(['input', 'voice'], {
      input: text('Text to speak', { minLength: 1 }),
      voice: text('Voice name, e.g. alloy', { minLength: 1 }),
      speed: { type: 'number', minimum: 0.25, maximum: 4 },
      response_format: { type: 'string', enum: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] },
    }),
    outputSchema: {
      type: 'object',
      required: ['audio_url'],
      properties: {
        audio_url: text('URL of the audio'),
        content_type: { type: 'string' },
        duration_s: { type: 'number' },
      },
    },
  },
  {
    name: 'openai/audio-transcription',
    category: 'audio',
    description: 'Transcribes speech audio to text.',
    needsModel: true,
    models: ['whisper-1', 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe'],
    inputSchema: providerInput(['audio_url'], {
      audio_url: url('Audio to transcribe'),
      language: text('ISO-639-1 language hint'),
      prompt: text('Vocabulary or style hint'),
    }),
    outputSchema: {
      type: 'object',
      required: ['text'],
      properties: {
        text: text('Transcription'),
        language: { type: 'string' },
        duration: { type: 'number' },
      },
    },
  },
  {
    name: 'image_generate',
    category: 'image',
    description: "Generates images from a prompt with the app's default image model.",
    needsModel: false,
    models: [],
    inputSchema: stepInput(['prompt'], {
      prompt: text('What to draw', { minLength: 1 }),
      size: text('WIDTHxHEIGHT in pixels, e.g. 1024x1024', {
        pattern: '^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$',
      }),
      n: integer('Images to generate', 1, 4),
    }),
    outputSchema: {
      type: 'object',
      required: ['images'],
      properties: {
        images: {
          type: 'array',
          items: {
            type: 'object',
            required: ['url', 'width', 'height', 'content_type'],
            properties: {
              url: { type: 'string' },
              width: { type: 'integer' },
              height: { type: 'integer' },
              content_type: { type: 'string' },
            },
          },
        },
      },
    },
  },
  {
    name: 'text_generate',
    category: 'text',
    description: "Generates text from a prompt with the app's default text model.",
    needsModel: false,
    models: [],
    inputSchema: stepInput(['prompt'], {
      prompt: text('The request', { minLength: 1 }),
      system: text('System instructions'),
      max_tokens: integer('Upper bound on generated tokens', 1),
    }),
    outputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
  },
  {
    name: 'enrich_text',
    category: 'text',
    description: 'Extracts keywords, language and sentiment from text.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(['text'], { text: text('Text to analyse', { minLength: 1 }) }),
    outputSchema: {
      type: 'object',
      required: ['keywords', 'language', 'sentiment'],
      properties: {
        keywords: { type: 'array', items: { type: 'string' } },
        language: text('ISO-639-1 code'),
        sentiment: {
          type: 'object',
          required: ['score', 'label'],
          properties: {
            score: { type: 'number' },
            label: { type: 'string', enum: ['negative', 'neutral', 'positive'] },
          },
        },
      },
    },
  },
  {
    name: 'enrich_image',
    category: 'image',
    description: 'Describes an image: size, format, dominant colors, tags and a caption.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(['image_url'], { image_url: url('Image to describe') }),
    outputSchema: {
      type: 'object',
      required: ['width', 'height', 'format', 'dominant_colors', 'tags', 'caption'],
      properties: {
        width: { type: 'integer' },
        height: { type: 'integer' },
        format: { type: 'string' },
        dominant_colors: { type: 'array', items: text('Hex color, e.g. #ff8800') },
        tags: { type: 'array', items: { type: 'string' } },
        caption: { type: 'string' },
      },
    },
  },
  {
    name: 'moderate_content',
    category: 'safety',
    description: 'Flags unsafe text and/or images, with per-category scores.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(
      [],
      { text: text('Text to check'), image_url: url('Image to check') },
      { anyOf: [{ required: ['text'] }, { required: ['image_url'] }] },
    ),
    outputSchema: {
      type: 'object',
      required: ['flagged', 'categories', 'scores'],
      properties: {
        flagged: { type: 'boolean' },
        categories: { type: 'object', additionalProperties: { type: 'boolean' } },
        scores: { type: 'object', additionalProperties: { type: 'number' } },
      },
    },
  },
  {
    name: 'search_similar',
    category: 'data',
    description: 'Vector similarity search in an index, by text or by vector.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(
      ['index'],
      {
        index: text('Index to search', { minLength: 1 }),
        text: text('Query text (embedded first)'),
        vector: { type: 'array', minItems: 1, items: { type: 'number' } },
        top_k: { ...integer('Matches to return', 1, 100), default: 5 },
      },
      {
        anyOf: [{ required: ['text'] }, { required: ['vector'] }],
        not: { required: ['text', 'vector'] },
      },
    ),
    outputSchema: {
      type: 'object',
      required: ['matches'],
      properties: {
        matches: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'score'],
            properties: {
              id: { type: 'string' },
              score: { type: 'number' },
              metadata: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
  },
  {
    name: 'store_results',
    category: 'data',
    description:
      "Stores a document in one of the app's collections; with index, also adds it to a vector index (by its vector, or its text embedded).",
    needsModel: false,
    models: [],
    inputSchema: stepInput(
      ['collection', 'document'],
      {
        collection: text('Collection name', { pattern: '^[A-Za-z0-9_-]{1,64}$' }),
        document: { type: 'object', additionalProperties: true },
        index: text('Vector index to add the document to', { pattern: '^[A-Za-z0-9_-]{1,64}$' }),
        vector: { type: 'array', minItems: 1, maxItems: 4096, items: { type: 'number' } },
        text: text('Text to embed for the index', { minLength: 1 }),
      },
      {
        dependencies: { vector: ['index'], text: ['index'] },
        if: { required: ['index'] },
        then: { anyOf: [{ required: ['vector'] }, { required: ['text'] }] },
      },
    ),
    outputSchema: {
      type: 'object',
      required: ['id', 'collection'],
      properties: {
        id: { type: 'string' },
        collection: { type: 'string' },
        index: { type: 'string' },
      },
    },
  },
  {
    name: 'emit_webhook',
    category: 'integration',
    description:
      "Sends a signed webhook: to url, or when absent to the app's configured webhook endpoints.",
    needsModel: false,
    models: [],
    inputSchema: stepInput(['body'], {
      url: {
        type: 'string',
        format: 'uri',
        description: "Endpoint; default: the app's configured endpoints",
      },
      event: text('Event name sent with the body'),
      body: { description: 'Any JSON payload' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
    }),
    outputSchema: {
      type: 'object',
      required: ['delivered', 'deliveries'],
      properties: {
        delivered: { type: 'integer' },
        deliveries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['url', 'status'],
            properties: {
              url: { type: 'string' },
              status: { type: 'integer' },
              webhook_id: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
  },
  {
    name: 'http_request',
    category: 'integration',
    description:
      "Sends an HTTP request and returns the answer's status, headers and body (JSON parsed). Secrets come from the worker's configuration by name, never from the run.",
    needsModel: false,
    models: [],
    inputSchema: stepInput(
      ['url'],
      {
        method: {
          type: 'string',
          enum: [...HTTP_REQUEST_METHODS],
          default: HTTP_REQUEST_DEFAULTS.method,
        },
        url: {
          type: 'string',
          minLength: 1,
          maxLength: 2048,
          description: 'http(s), a public address',
        },
        headers: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Sent as given; Host, Content-Length and the like are set by the worker',
        },
        secret_headers: {
          type: 'object',
          additionalProperties: text('The name of a secret of the worker', {
            pattern: SECRET_NAME_PATTERN,
          }),
          description:
            'Headers whose values are the worker\'s secrets, by name: {"Authorization": "ACME_TOKEN"}',
        },
        json: { description: 'A JSON body (Content-Type: application/json)' },
        text: text('A text body (Content-Type: text/plain unless headers say otherwise)'),
        timeout_ms: {
          ...integer('Limit on the whole exchange', 1, 120_000),
          default: HTTP_REQUEST_DEFAULTS.timeout_ms,
        },
        fail_on_status: {
          type: 'boolean',
          default: HTTP_REQUEST_DEFAULTS.fail_on_status,
          description: 'Fail the step on a non-2xx answer (retried on 408, 429 and 5xx)',
        },
      },
      { not: { required: ['json', 'text'] } },
    ),
    outputSchema: {
      type: 'object',
      required: ['status', 'headers', 'body'],
      properties: {
        status: { type: 'integer' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: { description: 'The JSON answer parsed, else its text; null when empty' },
      },
    },
  },
  {
    name: 'core/delay',
    category: 'control',
    description: 'Waits a number of milliseconds (a durable timer, not a sleeping worker).',
    needsModel: false,
    models: [],
    inputSchema: stepInput(['ms'], { ms: integer('Milliseconds to wait', 0, 3_600_000) }),
    outputSchema: {
      type: 'object',
      required: ['waited_ms'],
      properties: { waited_ms: { type: 'integer' } },
    },
  },
  {
    name: 'core/transform',
    category: 'control',
    description: 'Returns its value with references resolved: pure data mapping between nodes.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(['value'], {
      value: { description: 'Any JSON value; usually an object built from references' },
    }),
    outputSchema: { description: 'The resolved value' },
  },
  {
    name: 'core/fail',
    category: 'control',
    description:
      'Fails with a given error code; with fail_attempts it fails only the first N attempts, then succeeds.',
    needsModel: false,
    models: [],
    inputSchema: stepInput(['code'], {
      code: text('Error code to fail with', { minLength: 1 }),
      message: { type: 'string' },
      retryable: { type: 'boolean' },
      fail_attempts: integer('Fail only this many attempts; absent: always fail', 0),
    }),
    outputSchema: {
      type: 'object',
      required: ['attempt'],
      properties: { attempt: { type: 'integer' } },
    },
  },
];

const BY_NAME = new Map(TASK_TYPE_LIST.map((taskType) => [taskType.name, taskType]));

/** The task type with this name, or undefined. */
export function getTaskType(name: string): TaskType | undefined {
  return BY_NAME.get(name);
}

/** Every task type, in catalogue order (seed 000's provider tasks, then step types, then core/*). */
export function listTaskTypes(): readonly TaskType[] {
  return TASK_TYPE_LIST;
}

/** Known models for a task type (empty: any model); empty for an unknown task. */
export function modelsFor(task: string): readonly string[] {
  return getTaskType(task)?.models ?? [];
}
