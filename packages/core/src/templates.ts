import type { NodeDefinition, StepsDefinition, WorkflowDefinition } from './definition-types';

/** A built-in workflow: offered under New Workflow, and runnable by slug. */
export interface WorkflowTemplate {
  slug: string;
  name: string;
  description: string;
  /** In either accepted form; pass through checkDefinition for the canonical one. */
  definition: WorkflowDefinition | StepsDefinition;
}

const promptToVideo: WorkflowDefinition = {
  name: 'Prompt to Video',
  description: 'Enhance a prompt with an LLM, then generate a video from it',
  input_parameters: {
    prompt: { type: 'string', required: true, description: 'A rough idea for the clip' },
  },
  dag: {
    nodes: {
      enhance: {
        model_id: 'Qwen/Qwen3.5-4B',
        task: 'openai/chat-completion',
        inputs: {
          messages: [
            {
              role: 'system',
              content:
                'Rewrite the following prompt to be more detailed and cinematic for video generation.',
            },
            { role: 'user', content: '${input.prompt}' },
          ],
        },
        outputs: ['choices[0].message.content'],
      },
      generate_video: {
        model_id: 'fal-ai/wan/v2.2-5b',
        task: 'fal/text-to-video',
        inputs: {
          prompt: '${nodes.enhance.result.choices[0].message.content}',
          num_frames: 81,
          fps: 16,
        },
        outputs: ['video.url'],
      },
    },
    edges: [{ from: 'enhance', to: 'generate_video' }],
  },
};

const imageNode = (): NodeDefinition => ({
  model_id: 'fal-ai/flux/schnell',
  task: 'fal/text-to-image',
  inputs: { prompt: '${input.prompt}' },
  outputs: ['images[0].url'],
});

const parallelImageGen: WorkflowDefinition = {
  name: 'Parallel Image Gen',
  description:
    'Three image generation nodes run at the same time with the same prompt, for variations to choose from',
  input_parameters: {
    prompt: { type: 'string', required: true, description: 'What to draw' },
  },
  dag: {
    nodes: {
      image_1: imageNode(),
      image_2: imageNode(),
      image_3: imageNode(),
    },
    edges: [],
  },
};

const imageUrl = '${nodes.generate.result.images[0].url}';

const imageGenerateV1: StepsDefinition = {
  name: 'Image generate',
  description: 'Generate an image, enrich and moderate it, store the results and send a webhook',
  inputParameters: {
    prompt: { type: 'string', required: true, description: 'What to draw' },
    size: { type: 'string', default: '1024x1024', description: 'WIDTHxHEIGHT in pixels' },
  },
  steps: [
    {
      id: 'generate',
      type: 'image_generate',
      input: { prompt: '${input.prompt}', size: '${input.size}' },
    },
    {
      id: 'enrich',
      type: 'enrich_image',
      input: { image_url: imageUrl },
      dependsOn: ['generate'],
    },
    {
      id: 'moderate',
      type: 'moderate_content',
      input: { text: '${input.prompt}', image_url: imageUrl },
      dependsOn: ['generate'],
    },
    {
      id: 'store',
      type: 'store_results',
      input: {
        collection: 'images',
        document: {
          prompt: '${input.prompt}',
          url: imageUrl,
          width: '${nodes.generate.result.images[0].width}',
          height: '${nodes.generate.result.images[0].height}',
          tags: '${nodes.enrich.result.tags}',
          caption: '${nodes.enrich.result.caption}',
          moderation: {
            flagged: '${nodes.moderate.result.flagged}',
            categories: '${nodes.moderate.result.categories}',
          },
        },
      },
      dependsOn: ['enrich', 'moderate'],
    },
    {
      id: 'notify',
      type: 'emit_webhook',
      input: {
        event: 'image.generated',
        body: {
          image_id: '${nodes.store.result.id}',
          url: imageUrl,
          caption: '${nodes.enrich.result.caption}',
          flagged: '${nodes.moderate.result.flagged}',
        },
      },
      dependsOn: ['store'],
    },
  ],
};

const blank: WorkflowDefinition = {
  name: 'Untitled workflow',
  dag: { nodes: {}, edges: [] },
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/**
 * Built-in templates: seed 000's two, seed 004's image pipeline (steps form, slug
 * `image-generate-v1`), and a blank canvas. Frozen: copy a definition before editing it.
 */
export const TEMPLATES: readonly WorkflowTemplate[] = deepFreeze([
  {
    slug: 'prompt-to-video',
    name: 'Prompt to Video',
    description: 'An LLM enhances your prompt, then a video model generates a clip from it.',
    definition: promptToVideo,
  },
  {
    slug: 'parallel-image-gen',
    name: 'Parallel Image Gen',
    description:
      'Three image generation nodes run simultaneously with the same input, giving you variations to choose from.',
    definition: parallelImageGen,
  },
  {
    slug: 'image-generate-v1',
    name: 'Image generate',
    description:
      'Generate an image, enrich it with tags and a caption, moderate it, store the results and send a webhook.',
    definition: imageGenerateV1,
  },
  {
    slug: 'blank',
    name: 'Blank',
    description: 'An empty canvas to build from scratch.',
    definition: blank,
  },
]);

/** The template with this slug, or undefined. */
export function getTemplate(slug: string): WorkflowTemplate | undefined {
  return TEMPLATES.find((template) => template.slug === slug);
}
