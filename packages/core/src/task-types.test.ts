import { schemaAtPath } from './json-schema';
import { parsePath } from './references';
import { compileSchema } from './schema-compiler';
import { getTaskType, listTaskTypes, modelsFor } from './task-types';

const SEED_TASKS = [
  'openai/chat-completion',
  'openai/embeddings',
  'fal/text-to-image',
  'fal/image-to-image',
  'fal/text-to-video',
  'fal/image-to-video',
  'fal/speech-to-video',
  'fal/video-interpolation',
  'openai/audio-speech',
  'openai/audio-transcription',
  'image_generate',
  'text_generate',
  'enrich_text',
  'enrich_image',
  'moderate_content',
  'search_similar',
  'store_results',
  'emit_webhook',
  'http_request',
  'core/delay',
  'core/transform',
  'core/fail',
];

describe('task types', () => {
  it('covers every type the seeds name, each with compilable schemas', () => {
    expect(
      listTaskTypes()
        .map((t) => t.name)
        .sort(),
    ).toEqual([...SEED_TASKS].sort());
    for (const taskType of listTaskTypes()) {
      expect(() => compileSchema(taskType.inputSchema)).not.toThrow();
      expect(() => compileSchema(taskType.outputSchema)).not.toThrow();
      expect(taskType.description.length).toBeGreaterThan(5);
      if (taskType.needsModel) expect(taskType.models.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['openai/chat-completion', 'choices[0].message.content'],
    ['fal/text-to-image', 'images[0].url'],
    ['fal/text-to-video', 'video.url'],
    ['openai/audio-speech', 'audio_url'],
    ['openai/audio-transcription', 'text'],
    ['openai/embeddings', 'data[0].embedding[3]'],
    ['image_generate', 'images[0].content_type'],
    ['enrich_text', 'sentiment.label'],
    ['moderate_content', 'categories.violence'],
    ['search_similar', 'matches[0].metadata.anything'],
    ['emit_webhook', 'deliveries[0].webhook_id'],
    ['core/transform', 'any.path[2]'],
  ])('%s has the output path %s', (task, path) => {
    const parsed = parsePath(path);
    const taskType = getTaskType(task);
    expect(
      parsed.ok &&
        taskType !== undefined &&
        schemaAtPath(taskType.outputSchema, parsed.value).found,
    ).toBe(true);
  });

  it('lists the seed models as compatible', () => {
    expect(modelsFor('openai/chat-completion')).toContain('Qwen/Qwen3.5-4B');
    expect(modelsFor('fal/text-to-video')).toContain('fal-ai/wan/v2.2-5b');
    expect(modelsFor('image_generate')).toEqual([]);
    expect(modelsFor('unknown')).toEqual([]);
    expect(getTaskType('toString')).toBeUndefined();
  });

  it('checks core/fail and core/delay inputs', () => {
    const fail = compileSchema(getTaskType('core/fail')?.inputSchema ?? {});
    expect(fail({ code: 'boom', fail_attempts: 2, retryable: true })).toBe(true);
    expect(fail({ message: 'no code' })).toBe(false);
    const delay = compileSchema(getTaskType('core/delay')?.inputSchema ?? {});
    expect(delay({ ms: 3_600_001 })).toBe(false);
  });
});
