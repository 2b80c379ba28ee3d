import { WORKFLOW_SLUG_PATTERN } from '@weft/contract';
import {
  BUILT_IN_TASKS,
  checkDefinition,
  getTemplate,
  withRegistered,
  type TaskCatalogue,
  type WorkflowDefinition,
} from '@weft/core';
import {
  addEdge,
  addNode,
  freeNodeId,
  freeSlug,
  isEditableDefinition,
  removeEdge,
  removeNode,
  renameInputParameter,
  renameNode,
  setNodeInput,
  slugFromName,
} from '../../packages/console/app/editor/definition-edits';
import {
  fieldKind,
  numberFieldValue,
  valueFieldValue,
} from '../../packages/console/app/editor/field-kinds';
import { placeProblems } from '../../packages/console/app/editor/graph-problems';
import { parseDefinitionText } from '../../packages/console/app/editor/definition-text';
import {
  insertAt,
  outputPaths,
  referenceChips,
} from '../../packages/console/app/editor/reference-chips';
import { WORKFLOW_SLUG_PATTERN as CONSOLE_SLUG_PATTERN } from '../../packages/console/app/editor/slug';
import { templateDefinition } from '../../packages/console/app/editor/templates';
import { artifactPath, findMedia, findText } from '../../packages/console/app/run/media';
import { applyRunEvent } from '../../packages/console/app/run/run-events';
import { schemaFormats } from '../../packages/console/app/validation/schema-formats';
import type { RunView } from '../../packages/console/app/api/types';

/** The editor's pure parts, in Node: edits, problem placement, chips, SSE, media. */

function promptToVideo(): WorkflowDefinition {
  const template = getTemplate('prompt-to-video');
  if (!template) throw new Error('no prompt-to-video template');
  return templateDefinition(template);
}

describe('definition edits', () => {
  it('adds, connects, disconnects and removes nodes without touching the original', () => {
    const start = promptToVideo();
    const before = JSON.stringify(start);
    const id = freeNodeId(start);
    expect(id).toBe('node');
    let next = addNode(start, id, { task: 'image_generate', inputs: {} });
    next = addEdge(next, 'enhance', id);
    expect(addEdge(next, 'enhance', id)).toBe(next);
    expect(next.dag.edges).toContainEqual({ from: 'enhance', to: 'node' });
    expect(freeNodeId(next)).toBe('node_2');
    expect(removeEdge(next, 'enhance', id).dag.edges).not.toContainEqual({
      from: 'enhance',
      to: 'node',
    });
    const removed = removeNode(next, 'enhance');
    expect(Object.keys(removed.dag.nodes)).toEqual(['generate_video', 'node']);
    expect(removed.dag.edges).toEqual([]);
    expect(JSON.stringify(start)).toBe(before);
  });

  it('renames a node with its edges and the references to it, keeping the order', () => {
    const renamed = renameNode(promptToVideo(), 'enhance', 'rewrite');
    expect(Object.keys(renamed.dag.nodes)).toEqual(['rewrite', 'generate_video']);
    expect(renamed.dag.edges).toEqual([{ from: 'rewrite', to: 'generate_video' }]);
    expect(renamed.dag.nodes.generate_video?.inputs.prompt).toBe(
      '${nodes.rewrite.result.choices[0].message.content}',
    );
    expect(checkDefinition(renamed).diagnostics.errors).toEqual([]);
  });

  it('renames an input parameter and its references, not longer names sharing its start', () => {
    const start = promptToVideo();
    start.input_parameters = { ...start.input_parameters, prompt_extra: { type: 'string' } };
    start.dag.nodes.generate_video!.inputs.negative_prompt = '${input.prompt_extra}';
    const renamed = renameInputParameter(start, 'prompt', 'idea');
    expect(Object.keys(renamed.input_parameters ?? {})).toEqual(['idea', 'prompt_extra']);
    expect(JSON.stringify(renamed.dag.nodes.enhance?.inputs)).toContain('${input.idea}');
    expect(renamed.dag.nodes.generate_video?.inputs.negative_prompt).toBe('${input.prompt_extra}');
  });

  it('sets and removes inputs at nested paths', () => {
    let next = setNodeInput(promptToVideo(), 'enhance', ['messages', 1, 'content'], 'hi');
    expect(next.dag.nodes.enhance?.inputs.messages).toEqual([
      expect.objectContaining({ role: 'system' }),
      { role: 'user', content: 'hi' },
    ]);
    next = setNodeInput(next, 'enhance', ['messages', 0], undefined);
    expect(next.dag.nodes.enhance?.inputs.messages).toEqual([{ role: 'user', content: 'hi' }]);
    next = setNodeInput(next, 'generate_video', ['fps'], undefined);
    expect(next.dag.nodes.generate_video?.inputs).not.toHaveProperty('fps');
  });

  it('accepts JSON the canvas can draw, and converts the steps form', () => {
    expect(isEditableDefinition({ name: 'x', dag: { nodes: {}, edges: [] } })).toBe(true);
    expect(isEditableDefinition({ name: 'x', dag: { nodes: [], edges: [] } })).toBe(false);
    expect(isEditableDefinition({ dag: { nodes: {}, edges: [{ from: 1, to: 'a' }] } })).toBe(false);
    const steps = parseDefinitionText(
      JSON.stringify(getTemplate('image-generate-v1')?.definition),
      BUILT_IN_TASKS,
    );
    expect(steps.ok && steps.note).toBe('Converted from the steps form to the DAG form.');
    expect(steps.ok && Object.keys(steps.definition.dag.nodes)).toEqual([
      'generate',
      'enrich',
      'moderate',
      'store',
      'notify',
    ]);
    expect(parseDefinitionText('{"name": ', BUILT_IN_TASKS)).toMatchObject({ ok: false });
  });

  it('makes slugs from names, as the gateway accepts them', () => {
    expect(CONSOLE_SLUG_PATTERN).toBe(WORKFLOW_SLUG_PATTERN);
    const slug = new RegExp(WORKFLOW_SLUG_PATTERN);
    for (const name of ['Prompt to Video', '  Ünïcode — name!  ', '', 'x'.repeat(100)]) {
      expect(slugFromName(name)).toMatch(slug);
    }
    expect(slugFromName('Prompt to Video')).toBe('prompt-to-video');
    expect(freeSlug('a', new Set(['a', 'a-2']))).toBe('a-3');
  });
});

describe('problems on the graph', () => {
  it('marks every node and edge of a cycle', () => {
    const cyclic = addEdge(promptToVideo(), 'generate_video', 'enhance');
    const placed = placeProblems(cyclic, checkDefinition(cyclic).diagnostics);
    expect(placed.byNode.get('enhance')?.map((p) => p.code)).toContain('cycle');
    expect(placed.byNode.get('generate_video')?.map((p) => p.code)).toContain('cycle');
    expect(placed.byEdge.get('generate_video->enhance')?.[0]?.code).toBe('cycle');
    expect(placed.byEdge.get('enhance->generate_video')?.[0]?.code).toBe('cycle');
  });

  it('marks the existing end of an edge to a node that does not exist', () => {
    const dangling = addEdge(promptToVideo(), 'enhance', 'ghost');
    const placed = placeProblems(dangling, checkDefinition(dangling).diagnostics);
    expect(placed.byNode.get('enhance')?.map((p) => p.code)).toContain('unknown_edge_node');
    expect(placed.byEdge.get('enhance->ghost')?.[0]?.code).toBe('unknown_edge_node');
  });

  it('puts a missing model on its node', () => {
    const definition = addNode(promptToVideo(), 'node', {
      task: 'openai/chat-completion',
      inputs: {},
    });
    const placed = placeProblems(definition, checkDefinition(definition).diagnostics);
    expect(placed.byNode.get('node')?.map((p) => p.code)).toContain('missing_model');
  });
});

describe('reference chips', () => {
  const definition = promptToVideo();
  const prompt = { type: 'string' as const };

  it('offer input parameters and upstream outputs that fit the field, declared outputs first', () => {
    const chips = referenceChips(definition, 'generate_video', prompt, BUILT_IN_TASKS).map(
      (chip) => chip.text,
    );
    expect(chips.slice(0, 2)).toEqual([
      '${input.prompt}',
      '${nodes.enhance.result.choices[0].message.content}',
    ]);
    expect(chips).not.toContain('${nodes.enhance.result.usage.total_tokens}');
    const integers = referenceChips(
      definition,
      'generate_video',
      { type: 'integer' },
      BUILT_IN_TASKS,
    );
    expect(integers.map((chip) => chip.text)).toContain(
      '${nodes.enhance.result.usage.total_tokens}',
    );
    expect(integers.map((chip) => chip.text)).not.toContain('${input.prompt}');
  });

  it('offer nothing from nodes that do not run before this one', () => {
    const chips = referenceChips(definition, 'enhance', prompt, BUILT_IN_TASKS).map(
      (chip) => chip.text,
    );
    expect(chips).toEqual(['${input.prompt}']);
  });

  it("offer a registered type's outputs, read from its output schema", () => {
    const catalogue = withRegistered([
      {
        name: 'acme/resize',
        version: 1,
        description: 'Resizes an image.',
        inputSchema: { type: 'object', properties: { image_url: { type: 'string' } } },
        outputSchema: {
          type: 'object',
          properties: { url: { type: 'string' }, width: { type: 'integer' } },
        },
      },
    ]);
    const resized: WorkflowDefinition = {
      name: 'Resized',
      dag: {
        nodes: {
          resize: { task: 'acme/resize', inputs: { image_url: 'https://x/a.png' } },
          caption: { task: 'text_generate', inputs: { prompt: '' } },
        },
        edges: [{ from: 'resize', to: 'caption' }],
      },
    };
    const chips = (catalogue: TaskCatalogue) =>
      referenceChips(resized, 'caption', prompt, catalogue).map((chip) => chip.text);
    expect(chips(catalogue)).toEqual(['${nodes.resize.result.url}']);
    // Without the registered types (their fetch failed), the node's type is unknown: no chips.
    expect(chips(BUILT_IN_TASKS)).toEqual([]);
  });

  it('walk output schemas and insert at the cursor', () => {
    expect(
      outputPaths({
        type: 'object',
        properties: {
          a: { type: 'array', items: { type: 'object', properties: { b: { type: 'string' } } } },
        },
      }),
    ).toEqual([['a'], ['a', 0], ['a', 0, 'b']]);
    expect(insertAt('hello world', '${x}', 6, 11)).toEqual({ value: 'hello ${x}', caret: 10 });
  });
});

describe('payload fields', () => {
  it('choose an editor from the schema and read typed text', () => {
    expect(fieldKind({ type: 'string' })).toBe('text');
    expect(fieldKind({ type: 'string', enum: ['a'] })).toBe('choice');
    expect(fieldKind({ type: 'integer' })).toBe('number');
    expect(fieldKind({ type: 'array', items: { type: 'object', properties: {} } })).toBe(
      'object-list',
    );
    expect(fieldKind({ anyOf: [{ type: 'string' }, { type: 'object' }] })).toBe('value');
    expect(numberFieldValue(' 81 ')).toBe(81);
    expect(numberFieldValue('${input.frames}')).toBe('${input.frames}');
    expect(numberFieldValue('')).toBeUndefined();
    expect(valueFieldValue('{"width": 512}')).toEqual({ width: 512 });
    expect(valueFieldValue('landscape_4_3')).toBe('landscape_4_3');
    expect(valueFieldValue('{"broken"')).toBe('{"broken"');
  });

  it('check URLs as core’s uri format does', () => {
    expect(schemaFormats.uri.validate('https://example.com/a.png')).toBe(true);
    expect(schemaFormats.uri.validate('ftp://example.com/a.png')).toBe(false);
    expect(schemaFormats.uri.validate('not a url')).toBe(false);
  });
});

describe('run views', () => {
  it('apply node and run events to a snapshot', () => {
    const snapshot = {
      runId: 'run_1',
      status: 'running',
      nodes: { a: { status: 'queued', attempt: 1 } },
    } as unknown as RunView;
    let run = applyRunEvent(undefined, { event: 'snapshot', data: JSON.stringify(snapshot) });
    run = applyRunEvent(run, {
      event: 'node',
      data: JSON.stringify({ runId: 'run_1', nodeId: 'a', status: 'completed', attempt: 1 }),
    });
    run = applyRunEvent(run, {
      event: 'run',
      data: JSON.stringify({
        runId: 'run_1',
        status: 'completed',
        finishedAt: '2026-01-01T00:00:00Z',
      }),
    });
    expect(run).toMatchObject({
      status: 'completed',
      finishedAt: '2026-01-01T00:00:00Z',
      nodes: { a: { status: 'completed', attempt: 1 } },
    });
    expect(applyRunEvent(run, { event: 'later', data: '{}' })).toBe(run);
  });

  it('find media and text in results', () => {
    expect(
      findMedia({
        images: [{ url: 'http://h/v1/artifacts/art_1', content_type: 'image/png' }],
        video: { url: 'https://cdn/x.mp4' },
        audio_url: 'https://cdn/speech',
        statusUrl: 'https://h/v1/workflows/runs/run_1',
      }),
    ).toEqual([
      { url: 'http://h/v1/artifacts/art_1', kind: 'image' },
      { url: 'https://cdn/x.mp4', kind: 'video' },
      { url: 'https://cdn/speech', kind: 'audio' },
      { url: 'https://h/v1/workflows/runs/run_1' },
    ]);
    expect(artifactPath('http://localhost:8080/v1/artifacts/art_00abc')).toBe(
      '/v1/artifacts/art_00abc',
    );
    expect(artifactPath('https://cdn/x.png')).toBeUndefined();
    expect(findText({ choices: [{ message: { content: 'hi' } }] })).toBe('hi');
    expect(findText({ images: [] })).toBeUndefined();
  });
});
