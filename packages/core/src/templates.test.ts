import { checkDefinition } from './validate-definition';
import { getTemplate, TEMPLATES } from './templates';

describe('templates', () => {
  it.each(TEMPLATES.map((template) => [template.slug, template] as const))(
    '%s passes with empty diagnostics',
    (_slug, template) => {
      const result = checkDefinition(template.definition);
      expect(result.diagnostics).toEqual({ errors: [], type_issues: [], warnings: [] });
      expect(result.definition?.name).toBe(template.definition.name);
    },
  );

  it('offers the four built-ins by slug', () => {
    expect(TEMPLATES.map((t) => t.slug)).toEqual([
      'prompt-to-video',
      'parallel-image-gen',
      'image-generate-v1',
      'blank',
    ]);
    expect(getTemplate('nope')).toBeUndefined();
  });

  it('prompt-to-video is the seed 000 example DAG', () => {
    const dag = checkDefinition(getTemplate('prompt-to-video')?.definition).definition?.dag;
    expect(dag?.edges).toEqual([{ from: 'enhance', to: 'generate_video' }]);
    expect(dag?.nodes.enhance).toMatchObject({
      task: 'openai/chat-completion',
      model_id: 'Qwen/Qwen3.5-4B',
    });
    expect(dag?.nodes.generate_video).toMatchObject({
      task: 'fal/text-to-video',
      model_id: 'fal-ai/wan/v2.2-5b',
      inputs: {
        prompt: '${nodes.enhance.result.choices[0].message.content}',
        num_frames: 81,
        fps: 16,
      },
    });
  });

  it('parallel-image-gen has three text-to-image nodes on the same prompt and no edges', () => {
    const dag = checkDefinition(getTemplate('parallel-image-gen')?.definition).definition?.dag;
    const nodes = Object.values(dag?.nodes ?? {});
    expect(nodes).toHaveLength(3);
    for (const node of nodes)
      expect(node).toMatchObject({
        task: 'fal/text-to-image',
        inputs: { prompt: '${input.prompt}' },
      });
    expect(dag?.edges).toEqual([]);
  });

  it('image-generate-v1 is written in the steps form', () => {
    const template = getTemplate('image-generate-v1');
    expect(template?.definition).toHaveProperty('steps');
    const dag = checkDefinition(template?.definition).definition?.dag;
    expect(Object.keys(dag?.nodes ?? {})).toEqual([
      'generate',
      'enrich',
      'moderate',
      'store',
      'notify',
    ]);
    expect(dag?.nodes.notify?.inputs).not.toHaveProperty('url');
  });

  it('is frozen against accidental edits', () => {
    expect(Object.isFrozen(getTemplate('blank')?.definition)).toBe(true);
  });
});
