import { IDEMPOTENCY_KEY_PATTERN, MAX_IDEMPOTENCY_KEY_LENGTH, PAGE_LIMITS } from '../names';
import { headerRef, json, jsonBody, pageParameters, schemaRef } from '../openapi/parts';
import { RunAccepted, RunList, RunRequest, RunStatus, RunView } from '../runs';
import { WebhookDeliveries } from '../webhooks';
import { Slug } from '../workflows';
import type { GatewayFacts, Operation } from './operation';

/** What `GET …/runs/{runId}/events` sends, and when it stops. */
function runEventsDescription(facts: GatewayFacts): string {
  return [
    'A stream of Server-Sent Events, each with an increasing integer `id:`:',
    '`event: snapshot` — the run view (as `GET /v1/workflows/runs/{runId}` answers it, `RunView`);',
    '`event: node` — a node changed status or attempt (`RunNodeEvent`);',
    '`event: run` — the run changed status (`RunStatusEvent`);',
    '`event: end` — the final run view (`RunView`), then the server closes the stream; sent right after the snapshot when the run had already ended.',
    `A \`: keep-alive\` comment comes every ${facts.streamKeepAliveMs / 1000} s.`,
    `Each API key may hold \`MAX_STREAMS_PER_KEY\` streams open at once (default ${facts.streamsPerKey}) and each app \`MAX_STREAMS_PER_APP\` (default ${facts.streamsPerApp}), per gateway instance; beyond it the answer is 429 \`too_many_streams\`.`,
    `The stream closes without \`end\` when its key is revoked (within ${facts.streamKeyCheckMs / 1000} s when revoked through another gateway instance), or when the reader falls ${facts.streamMaxUnsentBytes / 1024 / 1024} MiB behind.`,
  ].join('\n');
}

export const RUN_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/workflows/run',
    operationId: 'startRun',
    tags: ['Runs'],
    summary: 'Start a run',
    description:
      "Resolves the workflow, checks the input and creates the run with its first ready steps; it never waits for a step. An `Idempotency-Key` makes a retried request return the first request's run (202, same `runId`).",
    access: 'key',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          'The same key from the same app returns the same run; with another workflow or input it is 409 `idempotency_key_reused`.',
        schema: {
          type: 'string',
          minLength: 1,
          maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
          pattern: IDEMPOTENCY_KEY_PATTERN,
        },
      },
      {
        name: 'traceparent',
        in: 'header',
        description: 'W3C trace context, carried into the run.',
        schema: { type: 'string' },
      },
    ],
    requestBody: jsonBody(RunRequest),
    responses: {
      '202': json(
        'The run was created (or found, for a repeated `Idempotency-Key`).',
        RunAccepted,
        { Location: headerRef('Location') },
      ),
    },
    errors: [
      'app_mismatch',
      'workflow_not_found',
      'idempotency_key_reused',
      'invalid_definition',
      'invalid_webhook_url',
      'invalid_input',
    ],
  },
  {
    method: 'get',
    path: '/v1/workflows/runs',
    operationId: 'listRuns',
    tags: ['Runs'],
    summary: "List the app's runs",
    description: 'Newest first. Unknown query parameters are refused (400).',
    access: 'key',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: 'Only runs in this status.',
        schema: schemaRef(RunStatus),
      },
      {
        name: 'slug',
        in: 'query',
        description: 'Only runs of this workflow.',
        schema: schemaRef(Slug),
      },
      ...pageParameters(PAGE_LIMITS.runs, 'nextCursor'),
    ],
    responses: { '200': json('A page of runs.', RunList) },
    errors: ['invalid_request'],
  },
  {
    method: 'get',
    path: '/v1/workflows/runs/{runId}',
    operationId: 'getRun',
    tags: ['Runs'],
    summary: 'Read a run',
    access: 'key',
    responses: { '200': json('The run.', RunView) },
    errors: ['invalid_request', 'run_not_found'],
  },
  {
    method: 'get',
    path: '/v1/workflows/runs/{runId}/deliveries',
    operationId: 'listRunDeliveries',
    tags: ['Runs', 'Webhooks'],
    summary: "The run's webhook deliveries",
    description: 'Oldest first, each with every attempt.',
    access: 'key',
    responses: { '200': json("The run's deliveries.", WebhookDeliveries) },
    errors: ['invalid_request', 'run_not_found'],
  },
  {
    method: 'get',
    path: '/v1/workflows/runs/{runId}/events',
    operationId: 'streamRunEvents',
    tags: ['Runs'],
    summary: "Follow a run's progress (Server-Sent Events)",
    description: runEventsDescription,
    access: 'key',
    responses: {
      '200': (facts) => ({
        description: runEventsDescription(facts),
        headers: {
          'X-Request-Id': headerRef('X-Request-Id'),
          'Cache-Control': {
            description: 'No cache may keep the stream, and no proxy may transform (buffer) it.',
            required: true,
            schema: { const: 'no-store, no-transform' },
          },
        },
        content: {
          'text/event-stream': {
            schema: {
              type: 'string',
              description:
                'Events `snapshot` and `end` carry a `RunView`, `node` a `RunNodeEvent`, `run` a `RunStatusEvent`, each as the JSON of its `data:` line.',
            },
          },
        },
      }),
    },
    errors: ['invalid_request', 'run_not_found', 'too_many_streams'],
  },
  {
    method: 'post',
    path: '/v1/workflows/runs/{runId}/cancel',
    operationId: 'cancelRun',
    tags: ['Runs'],
    summary: 'Cancel a run',
    description:
      'A run already cancelled answers 200 with it (a retried cancel must not fail); one that completed, failed or timed out is 409.',
    access: 'key',
    responses: { '200': json('The cancelled run.', RunView) },
    errors: ['run_not_found', 'run_already_ended'],
  },
  {
    method: 'post',
    path: '/v1/workflows/runs/{runId}/resume',
    operationId: 'resumeRun',
    tags: ['Runs'],
    summary: 'Resume a failed, cancelled or timed-out run',
    access: 'key',
    responses: { '202': json('The resumed run.', RunView) },
    errors: ['run_not_found', 'run_not_resumable'],
  },
];
