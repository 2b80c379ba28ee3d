import { WORKFLOW_SLUG_PATTERN } from '@weft/contract';
import { Router } from 'express';
import { checkDefinition } from '@weft/core';
import { ApiError } from '../api-error';
import { taskCatalogueOf } from '../task-catalogue';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import { parseBody, validateSaveWorkflowRequest } from '../request-schemas';
import {
  savedWorkflowView,
  workflowSummaryView,
  workflowVersionSummaryView,
  workflowVersionView,
} from '../workflow-view';

const SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);

/** Slugs that would collide with the run routes under `/v1/workflows/`. */
const RESERVED_SLUGS: ReadonlySet<string> = new Set(['run', 'runs']);

/** 404 for a slug (or version) that neither the app nor the built-in templates have. */
export function workflowNotFound(slug: string, version?: number): ApiError {
  return new ApiError(
    'workflow_not_found',
    version === undefined
      ? `No workflow "${slug}" in this app, and no built-in template of that slug`
      : `No version ${version} of workflow "${slug}"`,
    { slug, ...(version === undefined ? {} : { version }) },
  );
}

/** Workflow routes, mounted at `/v1/workflows` behind requireApiKey, after the run routes. */
export function workflowRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const { appId } = principalOf(response);
    const body = parseBody(validateSaveWorkflowRequest, request.body);
    if (RESERVED_SLUGS.has(body.slug)) {
      throw new ApiError('invalid_request', `The slug "${body.slug}" is reserved`, {
        issues: [{ path: '/slug', message: 'is reserved' }],
      });
    }
    const checked = checkDefinition(body.definition, taskCatalogueOf(deps));
    if (!checked.definition) {
      throw new ApiError(
        'invalid_definition',
        `The definition has ${checked.diagnostics.errors.length} error(s); see details.diagnostics`,
        { diagnostics: checked.diagnostics },
      );
    }
    const saved = await deps.workflows.save(appId, body.slug, checked.definition);
    response
      .status(201)
      .location(`/v1/workflows/${saved.slug}/versions/${saved.version}`)
      .json(savedWorkflowView(saved, checked.diagnostics));
  });

  router.get('/', async (_request, response) => {
    const { appId } = principalOf(response);
    const workflows = await deps.workflows.list(appId);
    response.json({ workflows: workflows.map(workflowSummaryView) });
  });

  router.get('/:slug', async (request, response) => {
    const { appId } = principalOf(response);
    const slug = request.params.slug;
    const found = SLUG.test(slug) ? await deps.workflows.get(appId, slug) : undefined;
    if (!found) throw workflowNotFound(slug);
    response.json({ workflow: workflowVersionView(found) });
  });

  router.get('/:slug/versions', async (request, response) => {
    const { appId } = principalOf(response);
    const slug = request.params.slug;
    const versions = SLUG.test(slug) ? await deps.workflows.versions(appId, slug) : undefined;
    if (!versions) throw workflowNotFound(slug);
    response.json({ versions: versions.map(workflowVersionSummaryView) });
  });

  router.get('/:slug/versions/:version', async (request, response) => {
    const { appId } = principalOf(response);
    const { slug, version: rawVersion } = request.params;
    if (!/^[1-9][0-9]{0,8}$/.test(rawVersion)) {
      throw new ApiError('invalid_request', 'A version is a positive integer', {
        issues: [{ path: 'path:version', message: 'must be a positive integer' }],
      });
    }
    const version = Number(rawVersion);
    const found = SLUG.test(slug) ? await deps.workflows.get(appId, slug, version) : undefined;
    if (!found) throw workflowNotFound(slug, version);
    response.json({ workflow: workflowVersionView(found) });
  });

  return router;
}
