import { Router } from 'express';
import type { TaskTypeList } from '@weft/contract';
import { listTaskTypes } from '@weft/core';

/** The task types, mounted at `/v1/task-types` behind requireApiKey. */
export function taskTypeRoutes(): Router {
  const router = Router();
  router.get('/', (_request, response) => {
    const answer: TaskTypeList = {
      taskTypes: listTaskTypes().map((taskType) => ({
        name: taskType.name,
        category: taskType.category,
        description: taskType.description,
        needsModel: taskType.needsModel,
        models: [...taskType.models],
        inputSchema: taskType.inputSchema,
        outputSchema: taskType.outputSchema,
        builtIn: true,
      })),
    };
    response.json(answer);
  });
  return router;
}
