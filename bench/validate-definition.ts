// Measures checkDefinition on a 500-node layered definition with references between layers.
// Prints its figures and the machine it ran on; it never asserts a time.
// Run: npx tsc -b && npx tsx bench/validate-definition.ts [iterations]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { checkDefinition } from '@weft/core';

const LAYERS = 50;
const WIDTH = 10;
const WARM_UP = 50;
const ITERATIONS = Number(process.argv[2] ?? 500);

/** Layers alternate between text_generate and openai/chat-completion; each node reads two parents. */
function layeredDefinition(): { body: unknown; nodes: number; edges: number; references: number } {
  const nodes: Record<string, unknown> = {};
  const edges: { from: string; to: string }[] = [];
  let references = 0;
  const id = (layer: number, i: number): string => `n${layer}_${i}`;
  const resultPath = (layer: number, i: number): string =>
    layer % 2 === 0
      ? `\${nodes.${id(layer, i)}.result.text}`
      : `\${nodes.${id(layer, i)}.result.choices[0].message.content}`;
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      const parents = layer === 0 ? [] : [i, (i + 1) % WIDTH];
      const text =
        layer === 0
          ? '${input.prompt}'
          : parents.map((p) => resultPath(layer - 1, p)).join(' and ');
      references += layer === 0 ? 1 : parents.length;
      nodes[id(layer, i)] =
        layer % 2 === 0
          ? { task: 'text_generate', inputs: { prompt: text, max_tokens: 256 } }
          : {
              task: 'openai/chat-completion',
              model_id: 'gpt-4o-mini',
              inputs: {
                messages: [
                  { role: 'system', content: 'Summarise.' },
                  { role: 'user', content: text },
                ],
                temperature: 0.2,
              },
              outputs: ['choices[0].message.content'],
            };
      for (const p of parents) edges.push({ from: id(layer - 1, p), to: id(layer, i) });
    }
  }
  const body = {
    name: 'Layered benchmark',
    input_parameters: { prompt: { type: 'string', required: true } },
    dag: { nodes, edges },
  };
  return {
    body: JSON.parse(JSON.stringify(body)) as unknown,
    nodes: LAYERS * WIDTH,
    edges: edges.length,
    references,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function main(): void {
  const { body, nodes, edges, references } = layeredDefinition();
  const first = checkDefinition(body);
  const findings =
    first.diagnostics.errors.length +
    first.diagnostics.type_issues.length +
    first.diagnostics.warnings.length;
  if (findings > 0) {
    console.error(
      'The benchmark definition should be clean:',
      JSON.stringify(first.diagnostics, null, 2),
    );
    process.exitCode = 1;
    return;
  }
  for (let i = 0; i < WARM_UP; i++) checkDefinition(body);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    checkDefinition(body);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  const bytes = JSON.stringify(body).length;
  const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
  console.log('checkDefinition on a layered DAG');
  console.log(
    `  nodes ${nodes}, edges ${edges}, references ${references}, document ${bytes} bytes`,
  );
  console.log(`  iterations ${ITERATIONS} (after ${WARM_UP} warm-up)`);
  console.log(
    `  mean ${fmt(mean)}  p50 ${fmt(percentile(times, 50))}  p99 ${fmt(percentile(times, 99))}`,
  );
  console.log(
    `  min ${fmt(times[0] ?? Number.NaN)}  max ${fmt(times[times.length - 1] ?? Number.NaN)}`,
  );
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ${os.platform()} ${os.arch()}, node ${process.version}`,
  );
}

main();
