import { Router, type Request } from 'express';
import {
  IDEMPOTENCY_KEY_PATTERN,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  PAGE_LIMITS,
  RUN_STATUSES,
  WORKFLOW_SLUG_PATTERN,
} from '@weft/contract';
import {
  checkDefinition,
  isTerminalRunStatus,
  validateRunInput,
  type RunStatus,
  type WorkflowDefinition,
} from '@weft/core';
import type { ApiKeyPrincipal, ListRunsQuery, RunWorkflowRef, StoredRun } from '@weft/store';
import { inSpan } from '@weft/observability';
import { deliveryView } from '../data-views';
import { ApiError } from '../api-error';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import { jsonEqual } from '../json-equal';
import {
  parseBody,
  validateRunRequest,
  type RequestIssue,
  type RunRequest,
} from '../request-schemas';
import { runSummaryView, runView } from '../run-view';
import { baseUrlOf, statusUrlOf } from '../status-url';
import { definitionToRun, taskCatalogueOf } from '../task-catalogue';
import { checkWebhookUrl } from '../webhook-url';
import { workflowNotFound } from './workflows';

const SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** Run ids are `run_` and base-36; anything else cannot be found, so it is not looked up. */
export const RUN_ID = /^run_[0-9a-z]{1,64}$/;

function badRequest(message: string, issues: RequestIssue[]): ApiError {
  return new ApiError('invalid_request', message, { issues });
}

/** 403 when a body names an app other than the key's: the key decides, never the body. */
export function checkAppId(appId: string | undefined, principal: ApiKeyPrincipal): void {
  if (appId !== undefined && appId !== principal.appId) {
    throw new ApiError(
      'app_mismatch',
      'appId in the body is not the app of this API key; leave it out, or use a key of that app',
      { appId },
    );
  }
}

function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest(
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
      [{ path: 'header:Idempotency-Key', message: 'is not valid' }],
    );
  }
  return key;
}

/** The run input with defaults applied; 422 `invalid_input` when it does not fit the workflow. */
export function runInputOf(definition: WorkflowDefinition, raw: unknown): Record<string, unknown> {
  const input = validateRunInput(definition, raw);
  if (!input.ok) {
    throw new ApiError(
      'invalid_input',
      `The run input does not fit the workflow: ${input.details[0]?.message ?? 'see details.issues'}`,
      { issues: input.details },
    );
  }
  return input.value;
}

/**
 * The definition a run request names, as the run starts with it (see definitionToRun), and how
 * the run will refer to it.
 */
async function resolveWorkflow(
  deps: GatewayDeps,
  appId: string,
  body: RunRequest,
): Promise<{ definition: WorkflowDefinition; workflow: RunWorkflowRef }> {
  const catalogue = taskCatalogueOf(deps);
  if (body.plan !== undefined) {
    const checked = checkDefinition(body.plan, catalogue);
    if (!checked.definition) {
      throw new ApiError(
        'invalid_definition',
        `The plan has ${checked.diagnostics.errors.length} error(s); see details.diagnostics`,
        { diagnostics: checked.diagnostics },
      );
    }
    return {
      definition: definitionToRun(checked.definition, catalogue, undefined),
      workflow: { ephemeral: true, name: checked.definition.name },
    };
  }
  const found =
    body.workflowId !== undefined
      ? await deps.workflows.getById(appId, body.workflowId, body.version)
      : await deps.workflows.get(appId, body.workflowSlug as string, body.version);
  if (!found && body.workflowId !== undefined) {
    throw new ApiError('workflow_not_found', `No workflow "${body.workflowId}" in this app`, {
      id: body.workflowId,
      ...(body.version === undefined ? {} : { version: body.version }),
    });
  }
  if (!found) throw workflowNotFound(body.workflowSlug as string, body.version);
  return {
    definition: definitionToRun(found.definition, catalogue, {
      name: `Workflow "${found.slug}" version ${found.version}`,
    }),
    workflow: {
      ...(found.workflowId === undefined ? {} : { id: found.workflowId }),
      slug: found.slug,
      version: found.version,
      ephemeral: false,
      name: found.name,
    },
  };
}

/** False when an idempotent replay's run is not what this request would have started. */
function sameRequest(
  run: StoredRun,
  body: RunRequest,
  workflow: RunWorkflowRef,
  input: Record<string, unknown>,
): boolean {
  return (
    run.workflow.ephemeral === workflow.ephemeral &&
    run.workflow.slug === workflow.slug &&
    run.workflow.id === workflow.id &&
    (body.version === undefined || run.workflow.version === body.version) &&
    jsonEqual(run.input, input)
  );
}

function listQueryOf(request: Request): ListRunsQuery {
  const query = request.query as Record<string, unknown>;
  const issues: RequestIssue[] = [];
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      issues.push({ path: `query:${name}`, message: 'must be given once' });
      return undefined;
    }
    return value;
  };
  for (const name of Object.keys(query)) {
    if (!['status', 'slug', 'limit', 'cursor'].includes(name)) {
      issues.push({ path: `query:${name}`, message: 'is not a parameter of this route' });
    }
  }
  const status = text('status');
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
    issues.push({ path: 'query:status', message: `must be one of ${RUN_STATUSES.join(', ')}` });
  }
  const slug = text('slug');
  if (slug !== undefined && !SLUG.test(slug)) {
    issues.push({ path: 'query:slug', message: 'is not a workflow slug' });
  }
  const rawLimit = text('limit');
  const limit = rawLimit === undefined ? PAGE_LIMITS.runs.default : Number(rawLimit);
  if (!/^[0-9]{1,9}$/.test(rawLimit ?? '1') || limit < 1 || limit > PAGE_LIMITS.runs.max) {
    issues.push({
      path: 'query:limit',
      message: `must be an integer from 1 to ${PAGE_LIMITS.runs.max}`,
    });
  }
  const cursor = text('cursor');
  if (cursor !== undefined && !RUN_ID.test(cursor)) {
    issues.push({ path: 'query:cursor', message: 'must be the nextCursor of a previous page' });
  }
  const first = issues[0];
  if (first) throw badRequest(`${first.path.slice(6)} ${first.message}`, issues);
  return {
    limit,
    ...(status === undefined ? {} : { status: status as RunStatus }),
    ...(slug === undefined ? {} : { slug }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

export function runNotFound(runId: string): ApiError {
  return new ApiError('run_not_found', `No run ${runId} in this app`, { runId });
}

/** Run routes, mounted at `/v1/workflows` behind requireApiKey. */
export function runRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.post('/run', async (request, response) => {
    const principal = principalOf(response);
    const appId = principal.appId;
    const body = parseBody(validateRunRequest, request.body);
    checkAppId(body.appId, principal);
    const named = [body.workflowSlug, body.workflowId, body.plan].filter((v) => v !== undefined);
    if (named.length !== 1) {
      throw badRequest(
        'Send one of workflowSlug or workflowId (a saved workflow) or plan (an inline one)',
        [{ path: '', message: 'needs exactly one of "workflowSlug", "workflowId" and "plan"' }],
      );
    }
    if (body.plan !== undefined && body.version !== undefined) {
      throw badRequest('version goes with workflowSlug or workflowId, not with plan', [
        { path: '/version', message: 'is only allowed with "workflowSlug" or "workflowId"' },
      ]);
    }
    const idempotencyKey = idempotencyKeyOf(request);
    const webhookUrl =
      body.webhookUrl === undefined
        ? undefined
        : checkWebhookUrl(body.webhookUrl, 'webhookUrl', deps.allowPrivateWebhooks ?? false);
    const { definition, workflow } = await resolveWorkflow(deps, appId, body);
    const input = { value: runInputOf(definition, body.input) };
    const incoming = request.get('traceparent');
    // The run's steps, in every service, become spans of this one: one trace per run.
    const { run, created } = await inSpan(
      'weft.run.start',
      {
        traceparent: incoming !== undefined && TRACEPARENT.test(incoming) ? incoming : undefined,
        attributes: { 'weft.app_id': appId, 'weft.workflow': workflow.slug ?? '(plan)' },
      },
      (traceparent) =>
        deps.engine.create({
          appId,
          definition,
          workflow,
          input: input.value,
          ...(webhookUrl === undefined ? {} : { webhookUrl }),
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
          ...(traceparent !== undefined ? { traceparent } : {}),
        }),
    );
    if (!created && !sameRequest(run, body, workflow, input.value)) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key started a run of another workflow or input; use a new key',
        { runId: run.id },
      );
    }
    const statusUrl = statusUrlOf(baseUrlOf(request, deps.publicUrl), run.id);
    response.status(202).location(statusUrl).json({ runId: run.id, status: run.status, statusUrl });
  });

  router.get('/runs', async (request, response) => {
    const { appId } = principalOf(response);
    const query = listQueryOf(request);
    const page = await deps.runs.list(appId, query);
    const base = baseUrlOf(request, deps.publicUrl);
    response.json({
      runs: page.runs.map((run) => runSummaryView(run, statusUrlOf(base, run.id))),
      nextCursor: page.nextCursor ?? null,
    });
  });

  router.get('/runs/:runId', async (request, response) => {
    const { appId } = principalOf(response);
    const runId = request.params.runId;
    const run = RUN_ID.test(runId) ? await deps.runs.get(appId, runId) : undefined;
    if (!run) throw runNotFound(runId);
    const view = runView(run, statusUrlOf(baseUrlOf(request, deps.publicUrl), run.id));
    if (deps.waiting && !isTerminalRunStatus(run.status)) {
      for (const [nodeId, waiting] of Object.entries(await deps.waiting.explain(run))) {
        const node = view.nodes[nodeId];
        if (node) node.waiting = waiting;
      }
    }
    response.json(view);
  });

  router.get('/runs/:runId/deliveries', async (request, response) => {
    const { appId } = principalOf(response);
    const runId = request.params.runId;
    const run = RUN_ID.test(runId) ? await deps.runs.get(appId, runId) : undefined;
    if (!run) throw runNotFound(runId);
    response.json({
      deliveries: (await deps.webhookDeliveries.forRun(appId, runId)).map(deliveryView),
    });
  });

  router.post('/runs/:runId/cancel', async (request, response) => {
    const { appId } = principalOf(response);
    const runId = request.params.runId;
    const run = RUN_ID.test(runId) ? await deps.engine.cancel(appId, runId) : undefined;
    if (!run) throw runNotFound(runId);
    // Cancelling a cancelled run answers 200 (a retried cancel must not fail); one that ended
    // any other way cannot be cancelled any more.
    if (run.status !== 'cancelled') {
      throw new ApiError('run_already_ended', `Run ${runId} already ended: ${run.status}`, {
        runId,
        status: run.status,
      });
    }
    response.json(runView(run, statusUrlOf(baseUrlOf(request, deps.publicUrl), run.id)));
  });

  router.post('/runs/:runId/resume', async (request, response) => {
    const { appId } = principalOf(response);
    const runId = request.params.runId;
    const resumed = RUN_ID.test(runId) ? await deps.engine.resume(appId, runId) : undefined;
    if (!resumed) throw runNotFound(runId);
    if ('notResumable' in resumed) {
      const status = resumed.notResumable.status;
      throw new ApiError(
        'run_not_resumable',
        `Run ${runId} is ${status}; only failed, cancelled and timed-out runs can be resumed`,
        { runId, status },
      );
    }
    const statusUrl = statusUrlOf(baseUrlOf(request, deps.publicUrl), resumed.run.id);
    response.status(202).json(runView(resumed.run, statusUrl));
  });

  return router;
}
