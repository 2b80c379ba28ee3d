import { RUN_STATUSES, type RunStatus, type RunSummary, type RunView } from '@weft/client';
import { API_OPTIONS, apiClientOf } from '../api-client';
import { UsageError, type Command } from '../command';
import { formatDuration, nodeRow, workflowLabel } from '../run-format';
import { formatTable } from '../table';

/** The most runs `weft runs list` fetches (page after page). */
const MAX_LISTED = 1000;
/** The most the API gives in one page. */
const PAGE_SIZE = 100;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 20;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LISTED) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LISTED}`);
  }
  return limit;
}

function parseStatus(value: string | undefined): RunStatus | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(value)) {
    throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')}`);
  }
  return value as RunStatus;
}

function durationOf(run: RunSummary): string {
  return run.durationMs === null ? '' : formatDuration(run.durationMs);
}

/** `weft runs list`: the app's runs, newest first. */
export const listRunsCommand: Command = {
  path: ['runs', 'list'],
  usage: '[--status <status>] [--slug <slug>] [--limit <n>] [--json]',
  summary: "List the app's runs, newest first (default 20)",
  options: {
    status: { type: 'string' },
    slug: { type: 'string' },
    limit: { type: 'string' },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const limit = parseLimit(typeof values.limit === 'string' ? values.limit : undefined);
    const status = parseStatus(typeof values.status === 'string' ? values.status : undefined);
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
