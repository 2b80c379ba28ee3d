import { Router } from 'express';
import type {
  AppList,
  CreatedApp,
  RegisteredTaskTypeAnswer,
  RegisteredTaskTypeList,
} from '@weft/contract';
import { getTaskType } from '@weft/core';
import { apiKeyView, appNameProblem, appView } from '@weft/store';
import { ApiError } from '../api-error';
import type { GatewayDeps } from '../deps';
import type { LiveStreams } from '../live-streams';
import { parseBody, validateCreateAppRequest } from '../request-schemas';
import { registeredTaskTypeView } from '../task-type-view';
import { adminKeyRoutes } from './keys';

/** 404 for a task type no worker registered: a built-in one, or one that is not there. */
function taskTypeNotFound(name: string): ApiError {
  const builtIn = getTaskType(name) !== undefined;
  return new ApiError(
    'task_type_not_found',
    builtIn
      ? `"${name}" is a built-in task type: only registered ones can be removed`
      : `No task type "${name}" is registered`,
    { name, ...(builtIn ? { builtIn } : {}) },
  );
}

/**
 * The admin API, mounted at `/v1/admin` behind the admin token: apps, any app's keys, and the task
 * types registered at run time. What the CLI's `apps`, `keys --app` and `task-types remove`
 * commands use, so operators need no access to the database or the broker.
 */
export function adminRoutes(deps: GatewayDeps, streams: Pick<LiveStreams, 'keyRevoked'>): Router {
  const router = Router();

  router.post('/apps', async (request, response) => {
    const { name } = parseBody(validateCreateAppRequest, request.body);
    const problem = appNameProblem(name);
    if (problem !== undefined) {
      throw new ApiError('invalid_request', problem, {
        issues: [{ path: '/name', message: problem }],
      });
    }
    const created = await deps.apps.createApp(name);
    const answer: CreatedApp = {
      app: appView(created.app),
      key: apiKeyView(created.key),
      apiKey: created.apiKey,
      webhookSecret: created.webhookSecret,
    };
    response.status(201).json(answer);
  });

  router.get('/apps', async (_request, response) => {
    const answer: AppList = { apps: (await deps.apps.listApps()).map(appView) };
    response.json(answer);
  });

  router.get('/task-types', (_request, response) => {
    const answer: RegisteredTaskTypeList = {
      taskTypes: (deps.taskTypes?.list() ?? []).map(registeredTaskTypeView),
    };
    response.json(answer);
  });

  router.delete('/task-types/:taskType', async (request, response) => {
    const name = request.params.taskType;
    const removed = await deps.taskTypes?.remove(name);
    if (removed === undefined) throw taskTypeNotFound(name);
    const answer: RegisteredTaskTypeAnswer = { taskType: registeredTaskTypeView(removed) };
    response.json(answer);
  });

  router.use(adminKeyRoutes(deps, streams));
  return router;
}
