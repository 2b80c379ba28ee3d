import { Router } from 'express';
import type { TaskTypeList } from '@weft/contract';
import { listTaskTypes } from '@weft/core';
import type { GatewayDeps } from '../deps';
import { builtInTaskTypeView, customTaskTypeView } from '../task-type-view';

/** The task types, built-in then registered, mounted at `/v1/task-types` behind requireApiKey. */
export function taskTypeRoutes(deps: Pick<GatewayDeps, 'taskTypes'>): Router {
  const router = Router();
  router.get('/', (_request, response) => {
    const answer: TaskTypeList = {
      taskTypes: [
        ...listTaskTypes().map(builtInTaskTypeView),
        ...(deps.taskTypes?.list() ?? []).map(customTaskTypeView),
      ],
    };
    response.json(answer);
  });
  return router;
}
