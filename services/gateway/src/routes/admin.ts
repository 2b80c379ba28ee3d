import { Router } from 'express';
import type { AppList, CreatedApp } from '@weft/contract';
import { apiKeyView, appNameProblem, appView } from '@weft/store';
import { ApiError } from '../api-error';
import type { GatewayDeps } from '../deps';
import type { LiveStreams } from '../live-streams';
import { parseBody, validateCreateAppRequest } from '../request-schemas';
import { adminKeyRoutes } from './keys';

/**
 * The admin API, mounted at `/v1/admin` behind the admin token: apps, and any app's keys. What the
 * CLI's `apps` and `keys --app` commands use, so operators need no access to the database.
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

  router.use(adminKeyRoutes(deps, streams));
  return router;
}
