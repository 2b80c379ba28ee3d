import type { WorkflowDefinition } from './definition-types';
import { validateRunInput } from './run-input';
import { getTemplate } from './templates';
import { checkDefinition } from './validate-definition';

describe('validateRunInput', () => {
  const imageGenerate = checkDefinition(getTemplate('image-generate-v1')?.definition)
    .definition as WorkflowDefinition;

  it('accepts the seed 004 run request input for image-generate-v1', () => {
    expect(
      validateRunInput(imageGenerate, { prompt: 'A beautiful sunset', size: '1024x1024' }),
    ).toEqual({
      ok: true,
      value: { prompt: 'A beautiful sunset', size: '1024x1024' },
    });
  });

  it('applies defaults without sharing them with the definition', () => {
    const result = validateRunInput(imageGenerate, { prompt: 'x' });
    expect(result).toEqual({ ok: true, value: { prompt: 'x', size: '1024x1024' } });
    const withObject: WorkflowDefinition = {
      name: 'o',
      input_parameters: { cfg: { type: 'object', default: { a: [1] } } },
      dag: {
        nodes: { a: { task: 'core/transform', inputs: { value: '${input.cfg}' } } },
        edges: [],
      },
    };
    const first = validateRunInput(withObject, {});
    if (first.ok) (first.value.cfg as { a: number[] }).a.push(2);
    expect(withObject.input_parameters?.cfg?.default).toEqual({ a: [1] });
  });

  it('reports every problem at once', () => {
    const result = validateRunInput(imageGenerate, { size: 5, extra: true });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.details.map((d) => d.code).sort()).toEqual([
        'input_type_mismatch',
        'missing_input',
        'unknown_input',
      ]);
  });

  it('infers required parameters from references when none are declared, keeping extra keys', () => {
    const inferred: WorkflowDefinition = {
      name: 'i',
      dag: {
        nodes: {
          a: { task: 'text_generate', inputs: { prompt: '${input.prompt} ${input.style}' } },
        },
        edges: [],
      },
    };
    const missing = validateRunInput(inferred, { prompt: 1 });
    expect(missing.ok || missing.details.map((d) => d.field)).toEqual(['style']);
    expect(validateRunInput(inferred, { prompt: 1, style: { any: 'json' }, note: 'kept' })).toEqual(
      {
        ok: true,
        value: { prompt: 1, style: { any: 'json' }, note: 'kept' },
      },
    );
  });

  it('treats missing input as {}', () => {
    expect(validateRunInput({ name: 'e', dag: { nodes: {}, edges: [] } }, undefined)).toEqual({
      ok: true,
      value: {},
    });
  });
});
