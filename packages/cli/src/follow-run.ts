import { WeftWaitTimeoutError, type RunView, type WeftClient } from '@weft/client';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_TIMEOUT,
  UsageError,
  type CliContext,
  type CommandArgs,
  type OptionSpec,
} from './command';
import { ProgressRenderer } from './progress-renderer';
import { failureReport } from './run-format';

/** How often the terminal table is redrawn while nodes run, so their durations move. */
const REDRAW_INTERVAL_MS = 250;

/** `--timeout`: of every command that follows a run. */
export const TIMEOUT_OPTION: OptionSpec = {
  type: 'string',
  placeholder: '<s>',
  description: 'stop waiting after this many seconds (exit 3); the run goes on (default: never)',
};

/** `--timeout` of the commands that follow a run only with `--wait`. */
export const WAIT_TIMEOUT_OPTION: OptionSpec = {
  ...TIMEOUT_OPTION,
  description: `with --wait: ${TIMEOUT_OPTION.description}`,
};

/** `--timeout` in seconds as ms; undefined when not given. */
export function parseTimeoutSeconds(value: CommandArgs['values'][string]): number | undefined {
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a number of seconds above 0, not "${value}"`);
  }
  return Math.round(seconds * 1000);
}

/** `--wait` and its `--timeout` (ms), which makes no sense without it. */
export function waitOptionsOf(values: CommandArgs['values']): {
  wait: boolean;
  timeoutMs: number | undefined;
} {
  const timeoutMs = parseTimeoutSeconds(values.timeout);
  const wait = values.wait === true;
  if (timeoutMs !== undefined && !wait) throw new UsageError('--timeout goes with --wait');
  return { wait, timeoutMs };
}

/** How to follow a run and report its end. */
export interface FollowOptions {
  /** Stop waiting after this long (exit 3), ms. Default (undefined): never. */
  timeoutMs?: number | undefined;
  /** Print the final run view as JSON on stdout instead of its outputs. */
  json: boolean;
}

function showOutcome(run: RunView, json: boolean, context: CliContext): number {
  if (json) context.stdout(`${JSON.stringify(run)}\n`);
  if (run.status === 'completed') {
    if (!json) context.stdout(`${JSON.stringify(run.outputs, null, 2)}\n`);
    return EXIT_OK;
  }
  context.stderr(failureReport(run));
  return EXIT_FAILURE;
}

/**
 * Follows run `runId` to its end with live progress on stderr, then prints its outputs (or, with
 * `json`, its final view) and resolves to the exit code: 0 completed, 1 failed, cancelled or
 * timed out, 3 when `timeoutMs` passed first.
 */
export async function followRun(
  client: WeftClient,
  runId: string,
  options: FollowOptions,
  context: CliContext,
): Promise<number> {
  const tty = context.stderrIsTty === true;
  const progress = new ProgressRenderer({
    write: (text) => context.stderr(text),
    tty,
    columns: context.columns ?? 100,
    color: context.env.NO_COLOR === undefined,
  });
  const ticker = tty ? setInterval(() => progress.tick(), REDRAW_INTERVAL_MS) : undefined;
  const { timeoutMs } = options;
  try {
    const run = await client.waitForRun(runId, {
      timeoutMs,
      onEvent: (event) => progress.event(event),
    });
    return showOutcome(run, options.json, context);
  } catch (error) {
    if (!(error instanceof WeftWaitTimeoutError)) throw error;
    const status = error.run?.status ?? 'pending';
    if (options.json) {
      context.stdout(`${JSON.stringify({ ...(error.run ?? { runId }), timedOut: true })}\n`);
    }
    context.stderr(
      `weft: run ${runId} did not end within ${(timeoutMs ?? 0) / 1000} s ` +
        `(it is ${status} and goes on): weft runs watch ${runId}\n`,
    );
    return EXIT_TIMEOUT;
  } finally {
    clearInterval(ticker);
  }
}
