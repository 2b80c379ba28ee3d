import { WeftWaitTimeoutError, type RunView, type StartRunRequest } from '@weft/client';
import { API_OPTIONS, apiClientOf } from '../api-client';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_TIMEOUT,
  UsageError,
  type CliContext,
  type Command,
  type CommandArgs,
} from '../command';
import { buildRunInput } from '../input-values';
import { ProgressRenderer } from '../progress-renderer';
import { failureReport } from '../run-format';

/** How often the terminal table is redrawn while nodes run, so their durations move. */
const REDRAW_INTERVAL_MS = 250;

function stringList(value: CommandArgs['values'][string]): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

function optionalString(value: CommandArgs['values'][string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `--timeout` in seconds as ms; undefined when not given. */
export function parseTimeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a number of seconds above 0, not "${value}"`);
  }
  return Math.round(seconds * 1000);
}

/** What `weft run <workflow>` starts: an id starting `wf_` runs by workflowId, else by slug. */
export function runRequestOf(
  workflow: string,
  input: Record<string, unknown>,
  values: CommandArgs['values'],
): StartRunRequest {
  const webhookUrl = optionalString(values['webhook-url']);
  const idempotencyKey = optionalString(values['idempotency-key']);
  const common = {
    input,
    ...(webhookUrl === undefined ? {} : { webhookUrl }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
  return workflow.startsWith('wf_')
    ? { workflowId: workflow, ...common }
    : { workflowSlug: workflow, ...common };
}

function showOutcome(run: RunView, values: CommandArgs['values'], context: CliContext): number {
  const json = values.json === true;
  if (json) context.stdout(`${JSON.stringify(run)}\n`);
  if (run.status === 'completed') {
    if (!json) context.stdout(`${JSON.stringify(run.outputs, null, 2)}\n`);
    return EXIT_OK;
  }
  context.stderr(failureReport(run));
  return EXIT_FAILURE;
}

/** `weft run <slug|id>`: starts a run; with `--wait`, follows it to its end. */
export const runCommand: Command = {
  path: ['run'],
  usage:
    '<slug|id> [--input key=value …] [--input-json <json>] [--wait [--timeout <s>]] ' +
    '[--webhook-url <url>] [--idempotency-key <key>] [--json]',
  summary: 'Start a run; --wait shows each node live, prints the outputs, exits 1 if it failed',
  options: {
    input: { type: 'string', multiple: true, short: 'i' },
    'input-json': { type: 'string' },
    wait: { type: 'boolean', short: 'w' },
    timeout: { type: 'string' },
    'webhook-url': { type: 'string' },
    'idempotency-key': { type: 'string' },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const workflow = positionals[0] ?? '';
    if (workflow.trim() === '') throw new UsageError('name the workflow: a slug or a wf_ id');
    const input = buildRunInput(stringList(values.input), optionalString(values['input-json']));
    const timeoutMs = parseTimeoutSeconds(optionalString(values.timeout));
    const wait = values.wait === true;
    if (timeoutMs !== undefined && !wait) throw new UsageError('--timeout goes with --wait');
    const client = apiClientOf(values, context);

    const started = await client.runs.start(runRequestOf(workflow, input, values));
    if (!wait) {
      context.stdout(
        values.json === true
          ? `${JSON.stringify(started)}\n`
          : `${started.runId}\n${started.statusUrl}\n`,
      );
      return EXIT_OK;
    }

    const tty = context.stderrIsTty === true;
    if (!tty) context.stderr(`Run ${started.runId} of ${workflow} started\n`);
    const progress = new ProgressRenderer({
      write: (text) => context.stderr(text),
      tty,
      columns: context.columns ?? 100,
      color: context.env.NO_COLOR === undefined,
    });
    const ticker = tty ? setInterval(() => progress.tick(), REDRAW_INTERVAL_MS) : undefined;
    try {
      const run = await client.waitForRun(started.runId, {
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        onEvent: (event) => progress.event(event),
      });
      return showOutcome(run, values, context);
    } catch (error) {
      if (!(error instanceof WeftWaitTimeoutError)) throw error;
      const status = error.run?.status ?? 'pending';
      if (values.json === true) {
        context.stdout(
          `${JSON.stringify({ ...(error.run ?? { runId: started.runId }), timedOut: true })}\n`,
        );
      }
      context.stderr(
        `weft: run ${started.runId} did not end within ${(timeoutMs ?? 0) / 1000} s ` +
          `(it is ${status} and goes on): weft runs show ${started.runId}\n`,
      );
      return EXIT_TIMEOUT;
    } finally {
      clearInterval(ticker);
    }
  },
};
