import { DIAGNOSTIC_CODES, type DiagnosticCode, type Diagnostics } from './diagnostics';
import { normalizeDefinition } from './normalize-definition';
import { validateRunInput } from './run-input';
import { checkDefinition, validateDefinition } from './validate-definition';
import type { WorkflowDefinition } from './definition-types';

/** The create-workflow body of seed 000, verbatim. */
const SEED_000_BODY = `{
  "name": "Prompt to Video",
  "description": "Enhance a prompt with an LLM, then generate a video from it",
  "dag": {
    "nodes": {
      "enhance": {
        "model_id": "Qwen/Qwen3.5-4B",
        "task": "openai/chat-completion",
        "inputs": {
          "messages": [
            { "role": "system", "content": "Rewrite the following prompt to be more detailed and cinematic for video generation." },
            { "role": "user", "content": "\${input.prompt}" }
          ]
        },
        "outputs": ["choices[0].message.content"]
      },
      "generate_video": {
        "model_id": "fal-ai/wan/v2.2-5b",
        "task": "fal/text-to-video",
        "inputs": {
          "prompt": "\${nodes.enhance.result.choices[0].message.content}",
          "num_frames": 81,
          "fps": 16
        },
        "outputs": ["video.url"]
      }
    },
    "edges": [
      {"from": "enhance", "to": "generate_video"}
    ]
  }
}`;

type Doc = Record<string, unknown>;

const chat = (content = 'hi', extra: Doc = {}): Doc => ({
  task: 'openai/chat-completion',
  model_id: 'gpt-4o-mini',
  inputs: { messages: [{ role: 'user', content }] },
  ...extra,
});
const doc = (nodes: Doc, edges: { from: string; to: string }[] = [], extra: Doc = {}): Doc => ({
  name: 'Test',
  ...extra,
  dag: { nodes, edges },
});
const video = (inputs: Doc): Doc => ({
  task: 'fal/text-to-video',
  model_id: 'fal-ai/wan/v2.2-5b',
  inputs,
});
const image = (prompt = 'a cat'): Doc => ({
  task: 'fal/text-to-image',
  model_id: 'fal-ai/flux/schnell',
  inputs: { prompt },
});
const line = (...ids: string[]): { from: string; to: string }[] =>
  ids.slice(1).map((to, i) => ({ from: ids[i] as string, to }));

function codes(diagnostics: Diagnostics): DiagnosticCode[] {
  return [...diagnostics.errors, ...diagnostics.type_issues, ...diagnostics.warnings].map(
    (d) => d.code,
  );
}

interface DefinitionCase {
  code: DiagnosticCode;
  bad: unknown[];
  good: unknown;
}

const definitionCases: DefinitionCase[] = [
  {
    code: 'schema',
    bad: [
      { name: 'Test' },
      null,
      [],
      42,
      {
        name: 'T',
        dag: { nodes: { a: { task: 'core/delay', inputs: { ms: 1 }, color: 'red' } }, edges: [] },
      },
      { name: 'T', dag: { nodes: { 'bad id!': chat() }, edges: [] } },
      { name: 'T', dag: { nodes: {}, edges: [] }, region: 'mars' },
      { nodes: {}, edges: [] },
    ],
    good: doc({ a: chat() }),
  },
  {
    code: 'cycle',
    bad: [
      doc({ a: chat(), b: chat(), c: chat() }, [...line('a', 'b', 'c'), { from: 'c', to: 'a' }]),
    ],
    good: doc({ a: chat(), b: chat(), c: chat() }, line('a', 'b', 'c')),
  },
  {
    code: 'unknown_edge_node',
    bad: [doc({ a: chat(), b: chat() }, [...line('a', 'b'), { from: 'b', to: 'zz' }])],
    good: doc({ a: chat(), b: chat() }, line('a', 'b')),
  },
  {
    code: 'duplicate_node_id',
    bad: [
      {
        name: 'T',
        steps: [
          { id: 'a', type: 'text_generate', input: { prompt: 'x' } },
          { id: 'a', type: 'text_generate', input: { prompt: 'y' } },
        ],
      },
    ],
    good: {
      name: 'T',
      steps: [
        { id: 'a', type: 'text_generate', input: { prompt: 'x' } },
        { id: 'b', type: 'text_generate', input: { prompt: 'y' } },
      ],
    },
  },
  {
    code: 'self_edge',
    bad: [doc({ a: chat(), b: chat() }, [...line('a', 'b'), { from: 'b', to: 'b' }])],
    good: doc({ a: chat(), b: chat() }, line('a', 'b')),
  },
  {
    code: 'unknown_task',
    bad: [doc({ a: { ...chat(), task: 'openai/chat-completions' } })],
    good: doc({ a: chat() }),
  },
  {
    code: 'missing_model',
    bad: [
      doc({
        a: {
          task: 'openai/chat-completion',
          inputs: { messages: [{ role: 'user', content: 'x' }] },
        },
      }),
    ],
    good: doc(
      { a: chat(), b: { task: 'text_generate', inputs: { prompt: 'no model needed' } } },
      line('a', 'b'),
    ),
  },
  {
    code: 'incompatible_model',
    bad: [doc({ a: { ...chat(), model_id: 'fal-ai/flux/schnell' } })],
    good: doc(
      {
        a: { ...chat(), model_id: 'Qwen/Qwen3.5-4B' },
        b: { task: 'text_generate', model_id: 'any-model', inputs: { prompt: 'x' } },
      },
      line('a', 'b'),
    ),
  },
  {
    code: 'unknown_reference_node',
    bad: [
      doc({ a: chat(), b: chat('${nodes.zz.result.choices[0].message.content}') }, line('a', 'b')),
    ],
    good: doc(
      { a: chat(), b: chat('${nodes.a.result.choices[0].message.content}') },
      line('a', 'b'),
    ),
  },
  {
    code: 'reference_not_upstream',
    bad: [
      doc({ a: chat(), b: chat('${nodes.a.result.choices[0].message.content}') }),
      doc({ a: chat(), b: chat('${nodes.a.result.choices[0].message.content}') }, line('b', 'a')),
      doc({ a: chat('${nodes.a.result.choices[0].message.content}') }),
    ],
    good: doc(
      { a: chat(), x: chat(), b: chat('${nodes.a.result.choices[0].message.content}') },
      line('a', 'x', 'b'),
    ),
  },
  {
    code: 'undeclared_input',
    bad: [
      doc({ a: chat('${input.promt}') }, [], {
        input_parameters: { prompt: { type: 'string', required: true } },
      }),
    ],
    good: doc({ a: chat('${input.prompt}'), b: chat('${input.anything}') }, line('a', 'b')),
  },
  {
    code: 'malformed_reference',
    bad: [
      doc({ a: chat(), b: chat('${nodes.a}') }, line('a', 'b')),
      doc({ a: chat('${foo}') }),
      doc({ a: chat('${input.prompt') }),
      doc({ a: chat('${input.a..b}') }),
      doc({ a: chat('${input.a[x]}') }),
      doc({ a: chat('${input.a[01]}') }),
      doc({ a: chat('${input.a.}') }),
      doc({ a: chat('${}') }),
      doc({ a: chat('${ input.prompt }') }),
      doc({ a: { ...chat(), outputs: ['choices[0]..content'] } }),
    ],
    good: doc({ a: chat('$ {not a reference} and } and $x and ${input.prompt}') }),
  },
  {
    code: 'forbidden_path_segment',
    bad: [
      doc({ a: chat('${input.__proto__}') }),
      doc({ a: chat(), b: chat('${nodes.a.result.constructor}') }, line('a', 'b')),
      doc({ a: chat(), b: chat('x ${nodes.a.result.choices[0].prototype} y') }, line('a', 'b')),
      doc({ a: chat('${nodes.__proto__.result}') }),
    ],
    good: doc({ a: chat('${input.proto}') }),
  },
  {
    code: 'invalid_inputs',
    bad: [
      doc({ a: { task: 'core/delay', inputs: { ms: -1 } } }),
      doc({ a: { task: 'openai/chat-completion', model_id: 'gpt-4o-mini', inputs: {} } }),
      doc({ a: video({ prompt: 'x', num_frames: 'many' }) }),
      doc({ a: { task: 'moderate_content', inputs: {} } }),
      doc({ a: { task: 'image_generate', inputs: { prompt: 'x', size: 'big' } } }),
      doc({ a: { task: 'emit_webhook', inputs: { url: 'not a url', body: {} } } }),
      doc({ a: { task: 'search_similar', inputs: { index: 'i', text: 't', vector: [1] } } }),
      doc({ a: { task: 'store_results', inputs: { collection: 'c', document: {}, extra: 1 } } }),
    ],
    good: doc(
      {
        a: { task: 'core/delay', inputs: { ms: 10 } },
        b: video({ prompt: '${input.p}', num_frames: '${input.n}' }),
        c: { task: 'image_generate', inputs: { prompt: 'x', size: '${input.size}' } },
        d: {
          task: 'emit_webhook',
          inputs: { url: 'https://example.com/hook', body: { any: ['thing'] } },
        },
      },
      line('a', 'b', 'c', 'd'),
    ),
  },
  {
    code: 'invalid_parameter_default',
    bad: [
      doc({ a: chat('${input.n}') }, [], {
        input_parameters: { n: { type: 'integer', default: 'x' } },
      }),
      doc({ a: chat('${input.n}') }, [], {
        input_parameters: { n: { type: 'string', enum: ['a', 1] } },
      }),
      doc({ a: chat('${input.n}') }, [], {
        input_parameters: { n: { type: 'string', enum: ['a'], default: 'b' } },
      }),
    ],
    good: doc({ a: chat('${input.n}') }, [], {
      input_parameters: { n: { type: 'string', enum: ['a', 'b'], default: 'b' } },
    }),
  },
  {
    code: 'reference_type_mismatch',
    bad: [
      doc(
        {
          img: image(),
          vid: video({ prompt: 'x', num_frames: '${nodes.img.result.images[0].url}' }),
        },
        line('img', 'vid'),
      ),
      doc({ vid: video({ prompt: 'x', num_frames: '${input.n}' }) }, [], {
        input_parameters: { n: { type: 'string', required: true } },
      }),
      doc(
        { img: image(), vid: video({ prompt: 'x', fps: '${nodes.img.result.images[0].width}0' }) },
        line('img', 'vid'),
      ),
      doc({ a: chat('${input.p.deeper}') }, [], {
        input_parameters: { p: { type: 'string', required: true } },
      }),
    ],
    good: doc(
      {
        img: image(),
        vid: video({
          prompt: 'A ${nodes.img.result.images[0].url} clip',
          num_frames: '${nodes.img.result.images[0].width}',
          fps: '${input.fps}',
        }),
      },
      line('img', 'vid'),
      { input_parameters: { fps: { type: 'number', required: true } } },
    ),
  },
  {
    code: 'unknown_output_path',
    bad: [
      doc({ a: chat(), b: chat('${nodes.a.result.choices[0].msg.content}') }, line('a', 'b')),
      doc({ a: { ...video({ prompt: 'x' }), outputs: ['video.uri'] } }),
    ],
    good: doc(
      {
        a: chat(),
        t: {
          task: 'core/transform',
          inputs: { value: { x: '${nodes.a.result.usage.total_tokens}' } },
        },
        b: chat('${nodes.t.result.x.y[3].z}'),
      },
      line('a', 't', 'b'),
    ),
  },
  {
    code: 'unused_input_parameter',
    bad: [
      doc({ a: chat('${input.prompt}') }, [], {
        input_parameters: {
          prompt: { type: 'string', required: true },
          style: { type: 'string', default: 'noir' },
        },
      }),
    ],
    good: doc({ a: chat('${input.prompt} in ${input.style}') }, [], {
      input_parameters: {
        prompt: { type: 'string', required: true },
        style: { type: 'string', default: 'noir' },
      },
    }),
  },
  {
    code: 'disconnected_node',
    bad: [doc({ a: chat(), b: chat(), c: chat() }, line('a', 'b'))],
    good: doc({ a: image(), b: image(), c: image() }),
  },
  {
    code: 'duplicate_edge',
    bad: [doc({ a: chat(), b: chat() }, [...line('a', 'b'), ...line('a', 'b')])],
    good: doc({ a: chat(), b: chat() }, line('a', 'b')),
  },
  {
    code: 'unknown_input_field',
    bad: [
      doc({
        a: chat('x', { inputs: { messages: [{ role: 'user', content: 'x' }], temprature: 0.2 } }),
      }),
    ],
    good: doc({
      a: chat('x', { inputs: { messages: [{ role: 'user', content: 'x' }], temperature: 0.2 } }),
    }),
  },
  {
    code: 'optional_input_reference',
    bad: [
      doc({ a: chat('${input.style}') }, [], { input_parameters: { style: { type: 'string' } } }),
    ],
    good: doc({ a: chat('${input.style}') }, [], {
      input_parameters: { style: { type: 'string', default: 'noir' } },
    }),
  },
  {
    code: 'timeout_exceeds_run_timeout',
    bad: [doc({ a: chat('x', { timeout: 120 }) }, [], { timeout: 60 })],
    good: doc({ a: chat('x', { timeout: 30 }) }, [], { timeout: 60 }),
  },
];

const runInputDefinition: WorkflowDefinition = {
  name: 'Inputs',
  input_parameters: {
    prompt: { type: 'string', required: true },
    count: { type: 'integer', default: 1 },
    mode: { type: 'string', enum: ['fast', 'best'], default: 'fast' },
  },
  dag: {
    nodes: {
      a: {
        task: 'text_generate',
        inputs: { prompt: '${input.prompt} ${input.count} ${input.mode}' },
      },
    },
    edges: [],
  },
};

const deep = (levels: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { v: value };
  return value;
};

const runInputCases: { code: DiagnosticCode; bad: unknown[]; good: unknown }[] = [
  {
    code: 'invalid_run_input',
    bad: [null, [], 'prompt', { prompt: deep(100) }],
    good: { prompt: 'x' },
  },
  { code: 'missing_input', bad: [{}, { count: 2 }], good: { prompt: 'x' } },
  { code: 'unknown_input', bad: [{ prompt: 'x', promt: 'y' }], good: { prompt: 'x', count: 3 } },
  {
    code: 'input_type_mismatch',
    bad: [{ prompt: 1 }, { prompt: 'x', count: 1.5 }, { prompt: { $gt: '' } }],
    good: { prompt: 'x', count: 2 },
  },
  {
    code: 'input_not_in_enum',
    bad: [{ prompt: 'x', mode: 'slow' }],
    good: { prompt: 'x', mode: 'best' },
  },
  {
    code: 'forbidden_input_key',
    bad: [
      JSON.parse('{"prompt": "x", "__proto__": {"polluted": true}}'),
      { prompt: 'x', constructor: 1 },
    ],
    good: { prompt: 'x' },
  },
];

describe('every diagnostic code', () => {
  it.each(definitionCases)(
    '$code: triggered by the bad definitions, not by the good one',
    ({ code, bad, good }) => {
      for (const raw of bad) {
        const result = checkDefinition(raw);
        expect(codes(result.diagnostics)).toContain(code);
        const found = [
          ...result.diagnostics.errors,
          ...result.diagnostics.type_issues,
          ...result.diagnostics.warnings,
        ].filter((d) => d.code === code);
        for (const diagnostic of found) expect(diagnostic.message.length).toBeGreaterThan(10);
      }
      const clean = checkDefinition(good);
      expect(codes(clean.diagnostics)).not.toContain(code);
      expect(clean.diagnostics.errors).toEqual([]);
    },
  );

  it.each(runInputCases)(
    '$code: refused run inputs, and an accepted one',
    ({ code, bad, good }) => {
      for (const input of bad) {
        const result = validateRunInput(runInputDefinition, input);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.details.map((d) => d.code)).toContain(code);
      }
      expect(validateRunInput(runInputDefinition, good).ok).toBe(true);
    },
  );

  it('covers every code in DIAGNOSTIC_CODES with a case', () => {
    const covered = new Set([...definitionCases, ...runInputCases].map((c) => c.code));
    expect([...covered].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('files each code under the list its severity names', () => {
    const result = checkDefinition(
      definitionCases.find((c) => c.code === 'reference_type_mismatch')?.bad[0],
    );
    expect(result.diagnostics.type_issues.map((d) => d.code)).toEqual(['reference_type_mismatch']);
    expect(result.definition).toBeDefined();
  });
});

describe('checkDefinition', () => {
  it('accepts the seed 000 create-workflow body with empty diagnostics', () => {
    const result = checkDefinition(JSON.parse(SEED_000_BODY));
    expect(result.diagnostics).toEqual({ errors: [], type_issues: [], warnings: [] });
    expect(result.definition?.dag.edges).toEqual([{ from: 'enhance', to: 'generate_video' }]);
    expect(result.definition?.dag.nodes.generate_video?.inputs).toEqual({
      prompt: '${nodes.enhance.result.choices[0].message.content}',
      num_frames: 81,
      fps: 16,
    });
  });

  it('names the nodes of a cycle in edge order', () => {
    const result = checkDefinition(
      doc({ a: chat(), b: chat(), c: chat(), d: chat() }, [
        ...line('d', 'a', 'b', 'c'),
        { from: 'c', to: 'a' },
      ]),
    );
    const cycle = result.diagnostics.errors.find((d) => d.code === 'cycle');
    expect(cycle?.message).toContain('a → b → c → a');
    expect(result.definition).toBeUndefined();
  });

  it('reports the seed example type issue: an image URL into num_frames', () => {
    const bad = definitionCases.find((c) => c.code === 'reference_type_mismatch')?.bad[0];
    const [issue] = checkDefinition(bad).diagnostics.type_issues;
    expect(issue).toMatchObject({
      code: 'reference_type_mismatch',
      node: 'vid',
      field: 'num_frames',
      path: '/dag/nodes/vid/inputs/num_frames',
    });
    expect(issue?.message).toContain('expects integer');
  });

  it('points steps-form diagnostics at the steps document', () => {
    const result = checkDefinition({
      name: 'T',
      steps: [
        { id: 'gen', type: 'image_generate', input: { prompt: 'x' } },
        {
          id: 'chat',
          type: 'openai/chat-completion',
          input: { messages: [{ role: 'user', content: '${nodes.gen.result.images[0].uri}' }] },
          dependsOn: ['gen', 'nope'],
        },
      ],
    });
    expect(result.diagnostics.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_edge_node', path: '/steps/1/dependsOn/1' }),
        expect.objectContaining({
          code: 'missing_model',
          path: '/steps/1',
          field: 'model',
          node: 'chat',
        }),
      ]),
    );
    expect(result.diagnostics.type_issues).toEqual([
      expect.objectContaining({
        code: 'unknown_output_path',
        path: '/steps/1/input/messages/0/content',
        field: 'messages[0].content',
      }),
    ]);
  });

  it('locates schema errors by JSON pointer and names the node', () => {
    const result = checkDefinition({
      name: 'T',
      dag: { nodes: { a: { task: 'core/delay', inputs: { ms: 1 }, retry: { max_attempts: 0 } } } },
    });
    expect(result.diagnostics.errors).toEqual([
      expect.objectContaining({
        code: 'schema',
        path: '/dag/nodes/a/retry/max_attempts',
        node: 'a',
      }),
    ]);
  });

  it('suggests the closest task name', () => {
    const result = checkDefinition(doc({ a: { ...chat(), task: 'openai/chat-completions' } }));
    expect(result.diagnostics.errors[0]?.message).toContain(
      'did you mean "openai/chat-completion"?',
    );
  });
});

describe('pathological documents', () => {
  it('bounds the work and the size of the answer', () => {
    const nodes: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) {
      const misspelt = Array.from(
        { length: 20 },
        (_, j) => `\${nodes.nod_${i}_${j}.result} \${input.x${j}}`,
      );
      nodes[`node_${i}`] = { task: `openai/chat-completion-${i}`, inputs: { refs: misspelt } };
    }
    const raw = { name: 'x', input_parameters: { prompt: { type: 'string' } }, dag: { nodes } };
    const result = checkDefinition(raw);
    expect(result.diagnostics.errors).toHaveLength(201);
    expect(result.diagnostics.errors[200]?.message).toMatch(/more findings/);
  });
});

describe('validateDefinition', () => {
  it('validates a 500-node layered definition without findings', () => {
    const nodes: Record<string, unknown> = {};
    const edges: { from: string; to: string }[] = [];
    for (let layer = 0; layer < 50; layer++) {
      for (let i = 0; i < 10; i++) {
        const id = `n${layer}_${i}`;
        const prompt =
          layer === 0
            ? '${input.prompt}'
            : `${'${'}nodes.n${layer - 1}_${i}.result.text} and ${'${'}nodes.n${layer - 1}_${(i + 1) % 10}.result.text}`;
        nodes[id] = { task: 'text_generate', inputs: { prompt } };
        if (layer > 0)
          edges.push(
            { from: `n${layer - 1}_${i}`, to: id },
            { from: `n${layer - 1}_${(i + 1) % 10}`, to: id },
          );
      }
    }
    const normalized = normalizeDefinition({ name: 'Big', dag: { nodes, edges } });
    expect(normalized.definition).toBeDefined();
    const diagnostics = validateDefinition(normalized.definition as WorkflowDefinition);
    expect(diagnostics).toEqual({ errors: [], type_issues: [], warnings: [] });
  });
});
