import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { Router, type ErrorRequestHandler } from 'express';
import { routeLabel, UNMATCHED_ROUTE } from './route-label';

describe('routeLabel', () => {
  it('is the route pattern with its routers mount paths, for answers and errors alike', async () => {
    const labels: string[] = [];
    const app = express();
    app.use((request, response, next) => {
      response.on('finish', () => labels.push(routeLabel(request)));
      next();
    });
    const workflows = Router();
    workflows.get('/', (_request, response) => void response.json({}));
    workflows.get('/:slug', (_request, response) => void response.json({}));
    workflows.get('/runs/:runId/events', () => {
      throw new Error('a route that fails');
    });
    workflows.get('/:slug/versions/:version', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error('a route that fails later');
    });
    const v1 = Router();
    v1.use('/workflows', workflows);
    v1.put('/indexes/:index/items/:id', (_request, response) => void response.json({}));
    app.use('/v1', v1);
    app.use((_request, response) => void response.status(404).json({}));
    const handleError: ErrorRequestHandler = (_error, _request, response, _next) => {
      response.status(500).json({});
    };
    app.use(handleError);

    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const requests: [string, string][] = [
        ['GET', '/v1/workflows'],
        ['GET', '/v1/workflows/'],
        ['GET', '/v1/workflows/my-secret-flow?x=1'],
        ['GET', '/V1/WORKFLOWS/Another-Flow'],
        ['GET', '/v1/workflows/runs/run_abc/events'],
        ['GET', '/v1/workflows/flow/versions/3'],
        ['PUT', '/v1/indexes/customer-names/items/item%2F1'],
        ['GET', '/v1/no/such/route/anywhere'],
      ];
      for (const [method, path] of requests) await fetch(url + path, { method });
      expect(labels).toEqual([
        '/v1/workflows',
        '/v1/workflows',
        '/v1/workflows/:slug',
        '/v1/workflows/:slug',
        '/v1/workflows/runs/:runId/events',
        '/v1/workflows/:slug/versions/:version',
        '/v1/indexes/:index/items/:id',
        UNMATCHED_ROUTE,
      ]);
    } finally {
      server.close();
    }
  });
});
