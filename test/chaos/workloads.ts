/**
 * The workflows the chaos load mixes, each an inline plan with what its run must end as. Every
 * node has a step timeout (so a frozen worker's attempt is given up on and retried) and a retry
 * budget large enough that the faults' timeouts never exhaust it, except where a node is meant to
 * fail.
 */

export type WorkloadKind =
  'chain' | 'fanout' | 'llm' | 'flaky' | 'doomed' | 'cancel' | 'custom' | 'probe';

/** Seconds an attempt may run before the orchestrator gives up on it. */
export const STEP_TIMEOUT_S = 4;
const RETRY = { max_attempts: 6, initial_delay_ms: 200, max_delay_ms: 2_000 };

/** How many first attempts `flaky` fails. */
export const FLAKY_FAIL_ATTEMPTS = 2;
/** The attempts `doomed-retryable` gets before failing for good. */
export const DOOMED_MAX_ATTEMPTS = 2;
/** The model the `llm` workflow asks the fake OpenAI for. */
export const LLM_MODEL = 'gpt-4o-mini';

export interface Workload {
  kind: WorkloadKind;
  /** A variant of the kind, e.g. `doomed-retryable`. */
  variant: string;
  plan: unknown;
  /** The run's input; `seconds` is the slow echo's wait in `custom`. */
  input: { x: number; seconds?: number };
}

const node = (task: string, inputs: Record<string, unknown>, extra: object = {}) => ({
  task,
  inputs,
  timeout: STEP_TIMEOUT_S,
  retry: RETRY,
  ...extra,
});
const transform = (value: unknown) => node('core/transform', { value });

export function chain(x: number, delayMs: number): Workload {
  return {
    kind: 'chain',
    variant: 'chain',
    input: { x },
    plan: {
      name: 'chaos-chain',
      dag: {
        nodes: {
          a: transform('${input.x}'),
          b: node('core/delay', { ms: delayMs }),
          c: transform({
            x: '${nodes.a.result}',
            pair: ['${nodes.a.result}', '${nodes.a.result}'],
          }),
          d: transform('chain-${nodes.c.result.x}-${nodes.b.result.waited_ms}'),
        },
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'c' },
          { from: 'c', to: 'd' },
        ],
      },
    },
  };
}

export const FANOUT_BRANCHES = 4;

export function fanout(x: number): Workload {
  const branches = Array.from({ length: FANOUT_BRANCHES }, (_, i) => `b${i}`);
  return {
    kind: 'fanout',
    variant: 'fanout',
    input: { x },
    plan: {
      name: 'chaos-fanout',
      dag: {
        nodes: {
          src: transform('${input.x}'),
          ...Object.fromEntries(
            branches.map((id, i) => [id, transform(['${nodes.src.result}', i])]),
          ),
          sink: transform(branches.map((id) => `\${nodes.${id}.result}`)),
        },
        edges: [
          ...branches.map((id) => ({ from: 'src', to: id })),
          ...branches.map((id) => ({ from: id, to: 'sink' })),
        ],
      },
    },
  };
}

export function llm(x: number): Workload {
  return {
    kind: 'llm',
    variant: 'llm',
    input: { x },
    plan: {
      name: 'chaos-llm',
      dag: {
        nodes: {
          chat: node(
            'openai/chat-completion',
            { messages: [{ role: 'user', content: 'count ${input.x}' }] },
            { model_id: LLM_MODEL },
          ),
          after: transform('${nodes.chat.result.choices[0].message.content}'),
        },
        edges: [{ from: 'chat', to: 'after' }],
      },
    },
  };
}

export function flaky(x: number): Workload {
  return {
    kind: 'flaky',
    variant: 'flaky',
    input: { x },
    plan: {
      name: 'chaos-flaky',
      dag: {
        nodes: {
          flaky: node('core/fail', { code: 'flaky', fail_attempts: FLAKY_FAIL_ATTEMPTS }),
          after: transform('${nodes.flaky.result.attempt}'),
        },
        edges: [{ from: 'flaky', to: 'after' }],
      },
    },
  };
}

/** Fails for good: at once (not retryable), or after its retry budget. */
export function doomed(x: number, retryable: boolean): Workload {
  const inputs = retryable ? { code: 'doomed' } : { code: 'doomed', retryable: false };
  const retry = retryable ? { max_attempts: DOOMED_MAX_ATTEMPTS, initial_delay_ms: 200 } : RETRY;
  return {
    kind: 'doomed',
    variant: retryable ? 'doomed-retryable' : 'doomed-permanent',
    input: { x },
    plan: {
      name: 'chaos-doomed',
      dag: {
        nodes: {
          start: transform('${input.x}'),
          doomed: node('core/fail', inputs, { retry }),
          after: transform('${nodes.doomed.result}'),
        },
        edges: [
          { from: 'start', to: 'doomed' },
          { from: 'doomed', to: 'after' },
        ],
      },
    },
  };
}

/** Cancelled by the client shortly after it starts; long enough that most are still running. */
export const CANCEL_DELAY_MS = 2_500;

export function cancellable(x: number): Workload {
  return {
    kind: 'cancel',
    variant: 'cancel',
    input: { x },
    plan: {
      name: 'chaos-cancel',
      dag: {
        nodes: {
          wait: node('core/delay', { ms: CANCEL_DELAY_MS }),
          after: transform('${input.x}'),
        },
        edges: [{ from: 'wait', to: 'after' }],
      },
    },
  };
}

/**
 * The task types of the example worker (examples/custom-worker), which the acme processes serve
 * with the worker SDK: not Weft's worker service.
 */
export const CUSTOM_STEP_TYPES = ['acme/word-count', 'acme/slow-echo'] as const;
/**
 * The step timeout of the acme nodes: longer than the acme workers' lease (CUSTOM_WORKER_LEASE_MS,
 * 4 s), so that an attempt lost with a killed acme worker is given up by the lease protocol
 * (`worker_lost`, outside the retry budget), not by its deadline.
 */
export const CUSTOM_STEP_TIMEOUT_S = 10;
/** The `max_words` of `custom`, and of `custom-refused`, which its four words exceed. */
export const CUSTOM_MAX_WORDS = { accepted: 10, refused: 3 } as const;

/** The words acme/word-count is given in `custom` for `x`, in order. */
export function customWords(x: number): string[] {
  return ['count', String(x), 'and', `${x}${x}${x}`];
}

/**
 * A transform, then acme/word-count, then acme/slow-echo waiting `seconds` (long enough that a
 * kill of the acme worker often lands mid-step). `refused`: the count refuses its text for good
 * (`too_many_words`, a NonRetriableError), and the run fails there.
 */
export function custom(x: number, seconds: number, refused = false): Workload {
  const maxWords = refused ? CUSTOM_MAX_WORDS.refused : CUSTOM_MAX_WORDS.accepted;
  return {
    kind: 'custom',
    variant: refused ? 'custom-refused' : 'custom',
    input: { x, seconds },
    plan: {
      name: 'chaos-custom',
      dag: {
        nodes: {
          prep: transform('count ${input.x} and ${input.x}${input.x}${input.x}'),
          count: node(
            'acme/word-count',
            { text: '${nodes.prep.result}', max_words: maxWords },
            { timeout: CUSTOM_STEP_TIMEOUT_S },
          ),
          echo: node(
            'acme/slow-echo',
            {
              text: '${nodes.count.result.longest}/${nodes.count.result.words}',
              seconds: '${input.seconds}',
            },
            { timeout: CUSTOM_STEP_TIMEOUT_S },
          ),
        },
        edges: [
          { from: 'prep', to: 'count' },
          { from: 'count', to: 'echo' },
        ],
      },
    },
  };
}

/**
 * The smallest run of a custom type: one acme/slow-echo that does not wait. Recovery after a kill
 * of an acme worker is measured with these.
 */
export function customProbe(x: number): Workload {
  return {
    kind: 'probe',
    variant: 'probe-custom',
    input: { x },
    plan: {
      name: 'chaos-probe-custom',
      dag: {
        nodes: {
          p: node(
            'acme/slow-echo',
            { text: 'probe-${input.x}', seconds: 0 },
            { timeout: CUSTOM_STEP_TIMEOUT_S },
          ),
        },
        edges: [],
      },
    },
  };
}

/** The smallest run: one transform. Recovery after a fault is measured with these. */
export function probe(x: number): Workload {
  return {
    kind: 'probe',
    variant: 'probe',
    input: { x },
    plan: { name: 'chaos-probe', dag: { nodes: { p: transform('probe-${input.x}') }, edges: [] } },
  };
}

/** The ids of the nodes of `workload`'s plan whose task is one of `tasks`. */
export function nodesOfTypes(workload: Workload, tasks: readonly string[]): Set<string> {
  const nodes = (workload.plan as { dag?: { nodes?: Record<string, { task?: string }> } }).dag
    ?.nodes;
  return new Set(
    Object.entries(nodes ?? {})
      .filter(([, node]) => tasks.includes(node.task ?? ''))
      .map(([id]) => id),
  );
}

/** A weighted random workload for the steady load. */
export function randomWorkload(x: number, random: () => number = Math.random): Workload {
  const roll = random() * 100;
  if (roll < 26) return chain(x, 150 + Math.floor(random() * 350));
  if (roll < 38) return fanout(x);
  if (roll < 51) return llm(x);
  if (roll < 61) return flaky(x);
  if (roll < 71) return doomed(x, random() < 0.5);
  if (roll < 85) return cancellable(x);
  return custom(x, Math.round(50 + random() * 100) / 100, random() < 0.2);
}
