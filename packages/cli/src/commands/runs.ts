import { RUN_STATUSES } from '@weft/contract';
import type { RunStatus, RunSummary, RunView } from '@weft/client';
import { API_OPTIONS, apiClientOf } from '../api-client';
import { UsageError, type Command } from '../command';
import {
  TIMEOUT_OPTION,
  WAIT_TIMEOUT_OPTION,
  followRun,
  parseTimeoutSeconds,
  waitOptionsOf,
} from '../follow-run';
import { formatDuration, nodeRow, workflowLabel } from '../run-format';
import { formatTable } from '../table';

/** How many runs `weft runs list` shows when `--limit` does not say. */
const DEFAULT_LISTED = 20;
/** The most runs `weft runs list` fetches (page after page). */
const MAX_LISTED = 1000;
/** The most the API gives in one page. */
const PAGE_SIZE = 100;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LISTED;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LISTED) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LISTED}`);
  }
  return limit;
}

function durationOf(run: RunSummary): string {
  return run.durationMs === null ? '' : formatDuration(run.durationMs);
}

/** `weft runs list`: the app's runs, newest first. */
export const listRunsCommand: Command = {
  path: ['runs', 'list'],
  usage: '[--status <status>] [--slug <slug>] [--limit <n>] [--json]',
  summary: `List the app's runs, newest first (default ${DEFAULT_LISTED})`,
  options: {
    status: {
      type: 'string',
      placeholder: '<status>',
      description: 'only the runs in this status (default: any)',
      values: RUN_STATUSES,
    },
    slug: {
      type: 'string',
      placeholder: '<slug>',
      description: 'only the runs of this workflow (default: any)',
    },
    limit: {
      type: 'string',
      placeholder: '<n>',
      description: `how many runs, 1 to ${MAX_LISTED} (default ${DEFAULT_LISTED})`,
    },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const limit = parseLimit(typeof values.limit === 'string' ? values.limit : undefined);
    // runCli has checked it against the option's values, RUN_STATUSES.
    const status = typeof values.status === 'string' ? (values.status as RunStatus) : undefined;
    const slug = typeof values.slug === 'string' ? values.slug : undefined;
    const client = apiClientOf(values, context);
    const runs: RunSummary[] = [];
    const pages = client.runs.listAll({
      limit: Math.min(limit, PAGE_SIZE),
      ...(status === undefined ? {} : { status }),
      ...(slug === undefined ? {} : { slug }),
    });
    for await (const run of pages) {
      runs.push(run);
      if (runs.length >= limit) break;
    }
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ runs })}\n`);
      return;
    }
    context.stdout(
      formatTable(
        ['RUN', 'STATUS', 'WORKFLOW', 'CREATED', 'DURATION', 'ERROR'],
        runs.map((run) => [
          run.runId,
          run.status,
          workflowLabel(run),
          run.createdAt,
          durationOf(run),
          run.error === null ? '' : run.error.code,
        ]),
      ),
    );
  },
};

/** A run for people: its state, each node, then its error or outputs. */
export function describeRun(run: RunView): string {
  const lines = [
    `Run ${run.runId}: ${run.status}`,
    `  workflow  ${workflowLabel(run)} (${run.workflow.name})`,
    `  created   ${run.createdAt}`,
  ];
  if (run.finishedAt !== null) lines.push(`  finished  ${run.finishedAt} (${durationOf(run)})`);
  if (run.error !== null) lines.push(`  error     ${run.error.code}: ${run.error.message}`);
  let text = `${lines.join('\n')}\n\n`;
  text += formatTable(
    ['NODE', 'STATUS', 'ATTEMPT', 'DURATION', 'ERROR'],
    Object.entries(run.nodes).map(([id, node]) => nodeRow(id, node)),
  );
  if (run.outputs !== null) text += `\nOutputs:\n${JSON.stringify(run.outputs, null, 2)}\n`;
  return text;
}

/** `weft runs show <runId>`: one run with its nodes and outputs. */
export const showRunCommand: Command = {
  path: ['runs', 'show'],
  usage: '<runId> [--json]',
  summary: 'Show a run: status, each node, the error or the outputs',
  options: { ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const run = await apiClientOf(values, context).runs.get(positionals[0] ?? '');
    context.stdout(values.json === true ? `${JSON.stringify(run)}\n` : describeRun(run));
  },
};

/** `weft runs cancel <runId>`: stops a run; cancelling a cancelled run is fine. */
export const cancelRunCommand: Command = {
  path: ['runs', 'cancel'],
  usage: '<runId> [--json]',
  summary: 'Cancel a run (exit 1 if it already ended otherwise)',
  options: { ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const run = await apiClientOf(values, context).runs.cancel(positionals[0] ?? '');
    context.stdout(
      values.json === true ? `${JSON.stringify(run)}\n` : `Cancelled run ${run.runId}.\n`,
    );
  },
};

/** `weft runs watch <runId>`: follows a run as `weft run --wait` does, until it ends. */
export const watchRunCommand: Command = {
  path: ['runs', 'watch'],
  usage: '<runId> [--timeout <s>] [--json]',
  summary: 'Follow a run live to its end, as run --wait does: the outputs, or exit 1 if it failed',
  options: { timeout: TIMEOUT_OPTION, ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    return followRun(
      apiClientOf(values, context),
      positionals[0] ?? '',
      { json: values.json === true, timeoutMs: parseTimeoutSeconds(values.timeout) },
      context,
    );
  },
};

/** `weft runs resume <runId>`: a failed, cancelled or timed-out run goes on where it stopped. */
export const resumeRunCommand: Command = {
  path: ['runs', 'resume'],
  usage: '<runId> [--wait [--timeout <s>]] [--json]',
  summary: 'Resume a failed, cancelled or timed-out run from where it stopped; --wait follows it',
  options: {
    wait: {
      type: 'boolean',
      short: 'w',
      description: 'follow the resumed run to its end, as runs watch does',
    },
    timeout: WAIT_TIMEOUT_OPTION,
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const { wait, timeoutMs } = waitOptionsOf(values);
    const client = apiClientOf(values, context);
    const run = await client.runs.resume(positionals[0] ?? '');
    if (wait) {
      return followRun(client, run.runId, { json: values.json === true, timeoutMs }, context);
    }
    context.stdout(
      values.json === true
        ? `${JSON.stringify(run)}\n`
        : `Resumed run ${run.runId}: it is ${run.status.replace('_', ' ')}.\n`,
    );
  },
};
