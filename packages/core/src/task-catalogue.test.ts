import { BUILT_IN_TASKS, withRegistered } from './task-catalogue';
import type { TaskTypeRegistration } from './task-type-registration';
import { listTaskTypes } from './task-types';
import { checkDefinition } from './validate-definition';

const resize: TaskTypeRegistration = {
  name: 'acme/resize',
  version: 1,
  description: 'Resizes an image.',
  inputSchema: {
    type: 'object',
    required: ['image_url', 'width'],
    properties: { image_url: { type: 'string' }, width: { type: 'integer', minimum: 1 } },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    required: ['image'],
    properties: {
      image: {
        type: 'object',
        required: ['url'],
        properties: { url: { type: 'string' }, width: { type: 'integer' } },
      },
    },
  },
  retry: { max_attempts: 5 },
  timeout: 30,
};
const catalogue = withRegistered([resize]);

/** A generated image resized, then its URL read by a transform: custom between built-ins. */
function pipeline(path: string, resizeInputs: Record<string, unknown> = {}) {
  return {
    name: 'Resize',
    dag: {
      nodes: {
        draw: { task: 'image_generate', inputs: { prompt: 'a cat' } },
        resize: {
          task: 'acme/resize',
          inputs: { image_url: '${nodes.draw.result.images[0].url}', width: 256, ...resizeInputs },
        },
        publish: { task: 'core/transform', inputs: { value: `\${nodes.resize.result.${path}}` } },
      },
      edges: [
        { from: 'draw', to: 'resize' },
        { from: 'resize', to: 'publish' },
      ],
    },
  };
}

describe('a catalogue with registered task types', () => {
  it('holds the built-in types first, then the registered ones by name', () => {
    const names = withRegistered([{ ...resize, name: 'zeta/x' }, resize]).names();
    expect(names.slice(0, listTaskTypes().length)).toEqual(BUILT_IN_TASKS.names());
    expect(names.slice(listTaskTypes().length)).toEqual(['acme/resize', 'zeta/x']);
    expect(catalogue.get('acme/resize')).toMatchObject({
      category: 'custom',
      needsModel: false,
      models: [],
      retry: { max_attempts: 5 },
      timeout: 30,
    });
  });

  it('never lets a registration stand in for a built-in type', () => {
    const hostile = withRegistered([
      { ...resize, name: 'image_generate' },
      { ...resize, name: 'openai/chat-completion' },
    ]);
    expect(hostile.get('image_generate')).toBe(BUILT_IN_TASKS.get('image_generate'));
    expect(hostile.get('openai/chat-completion')?.category).toBe('text');
    expect(hostile.names()).toEqual(BUILT_IN_TASKS.names());
  });

  it('reports unknown_task for a registered name without the catalogue, and suggests it with it', () => {
    const builtInOnly = checkDefinition(pipeline('image.url'));
    expect(builtInOnly.definition).toBeUndefined();
    expect(builtInOnly.diagnostics.errors).toEqual([
      expect.objectContaining({ code: 'unknown_task', node: 'resize' }),
    ]);

    const typo = pipeline('image.url');
    typo.dag.nodes.resize.task = 'acme/resise';
    const suggested = checkDefinition(typo, catalogue).diagnostics.errors;
    expect(suggested).toEqual([expect.objectContaining({ code: 'unknown_task' })]);
    expect(suggested[0]?.message).toContain('did you mean "acme/resize"?');
  });

  it('validates a workflow using a registered type as one using a built-in type', () => {
    const checked = checkDefinition(pipeline('image.url'), catalogue);
    expect(checked.diagnostics).toEqual({ errors: [], type_issues: [], warnings: [] });
    expect(checked.definition?.dag.nodes.resize?.task).toBe('acme/resize');
  });

  it('reports a type issue when a reference reads a field the registered output lacks', () => {
    const checked = checkDefinition(pipeline('image.height'), catalogue);
    expect(checked.diagnostics.errors).toEqual([]);
    expect(checked.diagnostics.type_issues).toEqual([
      expect.objectContaining({
        code: 'unknown_output_path',
        node: 'publish',
        path: '/dag/nodes/publish/inputs/value',
      }),
    ]);
    expect(checked.diagnostics.type_issues[0]?.message).toContain(
      'the result of acme/resize has no "image.height"',
    );
  });

  it('checks literal inputs and reference types against the registered input schema', () => {
    const checked = checkDefinition(
      pipeline('image.url', { width: 'wide', image_url: '${nodes.draw.result.images}' }),
      catalogue,
    );
    expect(checked.diagnostics.errors.map((diagnostic) => diagnostic.code)).toEqual([
      'invalid_inputs',
    ]);
    expect(checked.diagnostics.type_issues.map((diagnostic) => diagnostic.code)).toEqual([
      'reference_type_mismatch',
    ]);
  });

  it('leaves the default catalogue as it was: the built-in types alone', () => {
    expect(BUILT_IN_TASKS.names()).toEqual(listTaskTypes().map((type) => type.name));
    expect(BUILT_IN_TASKS.get('acme/resize')).toBeUndefined();
  });
});
