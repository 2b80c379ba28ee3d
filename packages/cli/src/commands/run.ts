import type { StartRunRequest } from '@weft/client';
import { API_OPTIONS, apiClientOf } from '../api-client';
import { EXIT_OK, UsageError, type Command, type CommandArgs } from '../command';
import { WAIT_TIMEOUT_OPTION, followRun, waitOptionsOf } from '../follow-run';
import { buildRunInput } from '../input-values';

function stringList(value: CommandArgs['values'][string]): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

function optionalString(value: CommandArgs['values'][string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
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

/** `weft run <slug|id>`: starts a run; with `--wait`, follows it to its end. */
export const runCommand: Command = {
  path: ['run'],
  usage:
    '<slug|id> [--input key=value …] [--input-json <json>] [--wait [--timeout <s>]] ' +
    '[--webhook-url <url>] [--idempotency-key <key>] [--json]',
  summary: 'Start a run; --wait shows each node live, prints the outputs, exits 1 if it failed',
  options: {
    input: {
      type: 'string',
      multiple: true,
      short: 'i',
      placeholder: '<key=value>',
      description:
        'one input, repeatable: numbers, true, false, null and JSON are coerced, anything ' +
        'else is text; key:=json takes JSON strictly; wins over --input-json',
    },
    'input-json': {
      type: 'string',
      placeholder: '<json>',
      description: 'the whole input as a JSON object (default {})',
    },
    wait: {
      type: 'boolean',
      short: 'w',
      description:
        'follow the run to its end with live progress on stderr, print its outputs; exit 1 if ' +
        'it failed, was cancelled or timed out',
    },
    timeout: WAIT_TIMEOUT_OPTION,
    'webhook-url': {
      type: 'string',
      placeholder: '<url>',
      description: "where to post the run when it ends, signed with the app's webhook secret",
    },
    'idempotency-key': {
      type: 'string',
      placeholder: '<key>',
      description: 'starting again with the same key returns the same run (default: a new key)',
    },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const workflow = positionals[0] ?? '';
    if (workflow.trim() === '') throw new UsageError('name the workflow: a slug or a wf_ id');
    const input = buildRunInput(stringList(values.input), optionalString(values['input-json']));
    const { wait, timeoutMs } = waitOptionsOf(values);
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

    if (context.stderrIsTty !== true) {
      context.stderr(`Run ${started.runId} of ${workflow} started\n`);
    }
    return followRun(client, started.runId, { json: values.json === true, timeoutMs }, context);
  },
};
