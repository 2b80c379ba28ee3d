import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { PAGE_LIMITS } from '@weft/contract';
import { checkDefinition, type WorkflowDefinition } from '@weft/core';
import type { ListRunsQuery } from '@weft/store';
import { ApiError } from '../api-error';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import { pageQuery } from '../page-query';
import { executionApiView, workflowApiView } from '../seed-api-view';
import { baseUrlOf, statusUrlOf } from '../status-url';
import { definitionToRun, taskCatalogueOf } from '../task-catalogue';
import { runInputOf } from './runs';

const WORKFLOW_ID = /^wf_[0-9a-z]{22}$/;
const RUN_ID = /^run_[0-9a-z]{1,64}$/;

function notFound(id: string): ApiError {
  return new ApiError('workflow_not_found', `No workflow "${id}" in this app`, { id });
}

function executionNotFound(id: string): ApiError {
  return new ApiError('run_not_found', `No workflow execution "${id}" in this app`, { runId: id });
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object', {
      issues: [{ path: '', message: 'must be a JSON object' }],
    });
  }
  return body as Record<string, unknown>;
}

/** The body as a definition, or 422 with every diagnostic (nothing is stored). */
function definitionOf(
  deps: GatewayDeps,
  body: unknown,
): {
  definition: WorkflowDefinition;
  diagnostics: { type_issues: unknown[]; warnings: unknown[] };
} {
  const checked = checkDefinition(requireObject(body), taskCatalogueOf(deps));
  if (!checked.definition) {
    throw new ApiError(
      'invalid_definition',
      `The workflow has ${checked.diagnostics.errors.length} error(s); see details.diagnostics`,
      { diagnostics: checked.diagnostics },
    );
  }
  return {
    definition: checked.definition,
    diagnostics: {
      type_issues: checked.diagnostics.type_issues,
      warnings: checked.diagnostics.warnings,
    },
  };
}

/** A slug for a workflow made without one: its name, made safe, and a random tail. */
function slugFor(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `${base || 'workflow'}-${randomBytes(4).toString('hex')}`;
}

function workflowIdOf(request: Request): string {
  const id = String(request.params.id);
  if (!WORKFLOW_ID.test(id)) throw notFound(id);
  return id;
}

function pageOf(request: Request): Pick<ListRunsQuery, 'limit' | 'cursor'> {
  return pageQuery(request, {
    limits: PAGE_LIMITS.executions,
    cursor: RUN_ID,
    cursorName: 'next_cursor',
  });
}

/**
 * Seed 000's workflow API at `/api`: workflows by id and their executions, in the seed's shapes
 * (snake_case, unix seconds). The same workflows and runs as `/v1`: a workflow made here runs by
 * id there (`workflowId`), and one saved there is listed, read and executed here.
 */
export function seedApiRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const statusUrl = (request: Request, runId: string) =>
    statusUrlOf(baseUrlOf(request, deps.publicUrl), runId);

  router.post('/workflows', async (request, response) => {
    const { appId } = principalOf(response);
    const { definition, diagnostics } = definitionOf(deps, request.body);
    const saved = await deps.workflows.save(appId, slugFor(definition.name), definition);
    const workflow = await deps.workflows.getById(appId, saved.workflowId ?? '');
    if (!workflow) throw new Error(`workflow ${saved.workflowId} vanished after saving`);
    response.status(201).json({ workflow: workflowApiView(appId, workflow), diagnostics });
  });

  router.get('/workflows', async (_request, response) => {
    const { appId } = principalOf(response);
    const workflows = await deps.workflows.listOwn(appId);
    response.json({ workflows: workflows.map((workflow) => workflowApiView(appId, workflow)) });
  });

  router.get('/workflows/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = workflowIdOf(request);
    const workflow = await deps.workflows.getById(appId, id);
    if (!workflow) throw notFound(id);
    response.json({ workflow: workflowApiView(appId, workflow) });
  });

  router.put('/workflows/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = workflowIdOf(request);
    const existing = await deps.workflows.getById(appId, id);
    if (!existing) throw notFound(id);
    const { definition, diagnostics } = definitionOf(deps, request.body);
    await deps.workflows.save(appId, existing.slug, definition);
    const workflow = await deps.workflows.getById(appId, id);
    if (!workflow) throw notFound(id);
    response.json({ workflow: workflowApiView(appId, workflow), diagnostics });
  });

  router.delete('/workflows/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = workflowIdOf(request);
    if (!(await deps.workflows.delete(appId, id))) throw notFound(id);
    response.status(204).end();
  });

  router.post('/workflows/:id/execute', async (request, response) => {
    const { appId } = principalOf(response);
    const id = workflowIdOf(request);
    const body = request.body === undefined ? {} : requireObject(request.body);
    const unknown = Object.keys(body).filter((key) => key !== 'input_params');
    if (unknown.length > 0) {
      throw new ApiError('invalid_request', `Unknown property "${unknown[0]}"`, {
        issues: unknown.map((key) => ({ path: `/${key}`, message: `unknown property "${key}"` })),
      });
    }
    const workflow = await deps.workflows.getById(appId, id);
    if (!workflow) throw notFound(id);
    const input = runInputOf(workflow.definition, body.input_params ?? {});
    const definition = definitionToRun(workflow.definition, taskCatalogueOf(deps), {
      name: `Workflow "${id}" version ${workflow.version}`,
    });
    const { run } = await deps.engine.create({
      appId,
      definition,
      workflow: {
        id,
        slug: workflow.slug,
        version: workflow.version,
        ephemeral: false,
        name: workflow.name,
      },
      input,
    });
    const url = statusUrl(request, run.id);
    response
      .status(201)
      .location(url)
      .json({ execution: executionApiView(run, url) });
  });

  router.get('/workflows/:id/executions', async (request, response) => {
    const { appId } = principalOf(response);
    const id = workflowIdOf(request);
    if (!(await deps.workflows.getById(appId, id))) throw notFound(id);
    const page = await deps.runs.list(appId, { workflowId: id, ...pageOf(request) });
    response.json({
      executions: page.runs.map((run) => executionApiView(run, statusUrl(request, run.id))),
      ...(page.nextCursor !== undefined ? { next_cursor: page.nextCursor } : {}),
    });
  });

  router.get('/workflow-executions/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = String(request.params.id);
    const run = RUN_ID.test(id) ? await deps.runs.get(appId, id) : undefined;
    if (!run) throw executionNotFound(id);
    response.json({ execution: executionApiView(run, statusUrl(request, run.id)) });
  });

  router.post('/workflow-executions/:id/cancel', async (request, response) => {
    const { appId } = principalOf(response);
    const id = String(request.params.id);
    const run = RUN_ID.test(id) ? await deps.engine.cancel(appId, id) : undefined;
    if (!run) throw executionNotFound(id);
    if (run.status !== 'cancelled') {
      throw new ApiError('run_already_ended', `Execution ${id} already ended: ${run.status}`, {
        runId: id,
        status: run.status,
      });
    }
    response.json({ execution: executionApiView(run, statusUrl(request, id)) });
  });

  return router;
}
