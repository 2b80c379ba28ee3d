import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
} from 'express';
import helmet from 'helmet';
import { checkReadiness, metricsScrapeAllowed } from '@weft/observability';
import { ApiError, routeNotFound } from './api-error';
import { requireAdminToken } from './admin-auth';
import { AuthFailures, requireApiKey } from './auth';
import { DEFAULT_BODY_LIMIT_BYTES } from './config';
import type { GatewayDeps } from './deps';
import { LiveStreams } from './live-streams';
import { openApiRoutes } from './openapi-docs';
import { rateLimitPerKey } from './rate-limit';
import { routeLabel } from './route-label';
import { RunFeeds } from './run-feeds';
import { adminRoutes } from './routes/admin';
import { adminArtifactUploadRoutes, artifactUploadRoutes } from './routes/artifact-uploads';
import { consoleRoutes } from './routes/console';
import { dataRoutes } from './routes/data';
import { keyRoutes } from './routes/keys';
import { runEventRoutes } from './routes/run-events';
import { runRoutes } from './routes/runs';
import { seedApiRoutes } from './routes/seed-api';
import { taskTypeRoutes } from './routes/task-types';
import { webhookRoutes } from './routes/webhooks';
import { workflowRoutes } from './routes/workflows';

export type { GatewayDeps } from './deps';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** A body-parser failure, as it throws them. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function hasBody(request: Request): boolean {
  const length = request.get('content-length');
  return (
    request.get('transfer-encoding') !== undefined || (length !== undefined && Number(length) > 0)
  );
}

/** 415 for a body that is not JSON: we never guess at what a form or text body meant. */
const requireJsonBody: RequestHandler = (request, _response, next) => {
  if (hasBody(request) && !request.is(['application/json', 'application/*+json'])) {
    throw new ApiError(
      'unsupported_media_type',
      'Send the request body as JSON, with Content-Type: application/json',
      { contentType: request.get('content-type') ?? null },
    );
  }
  next();
};

/**
 * Every answer behind a key is one app's data, and runs change: no cache, shared or private, may
 * keep one. A route that serves something immutable may say otherwise.
 */
const noStore: RequestHandler = (_request, response, next) => {
  response.set('Cache-Control', 'no-store');
  next();
};

/** Methods whose body means something to a route. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Runs `handler` on requests whose method takes a body; the body of a GET or DELETE has no
 * meaning here and is not read, so it cannot turn a documented answer into a 400 or a 415.
 */
function forBodies(handler: RequestHandler): RequestHandler {
  return (request, response, next) => {
    if (BODY_METHODS.has(request.method)) return handler(request, response, next);
    next();
  };
}

/** The error a body-parser failure means, or undefined when it is not one. */
function bodyParserError(error: unknown, bodyLimitBytes: number): ApiError | undefined {
  const type = (error as BodyParserError | null)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return new ApiError(
        'malformed_json',
        'The request body is not valid JSON (it must be a JSON object)',
        {},
        { cause: error },
      );
    case 'entity.too.large':
      return new ApiError(
        'payload_too_large',
        `The request body is larger than ${bodyLimitBytes} bytes`,
        { limitBytes: bodyLimitBytes },
        { cause: error },
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(
        'unsupported_media_type',
        'Send the request body as UTF-8 JSON, without a content encoding',
        {},
        { cause: error },
      );
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError(
        'invalid_request',
        'The request body was incomplete',
        {},
        { cause: error },
      );
    default:
      return undefined;
  }
}

/**
 * 400 for a path parameter that is not valid percent-encoding (`/v1/workflows/%zz`): the router
 * cannot decode it and says so with a URIError of status 400, which is the caller's fault.
 */
function pathDecodeError(error: unknown): ApiError | undefined {
  if (!(error instanceof URIError) || (error as { status?: unknown }).status !== 400) {
    return undefined;
  }
  return new ApiError(
    'invalid_request',
    'The path is not valid percent-encoded UTF-8',
    { issues: [{ path: 'path', message: 'is not valid percent-encoding' }] },
    { cause: error },
  );
}

/**
 * The HTTP API as an express app, not yet listening: `main.ts` listens on PORT, tests on port 0.
 * Every `/v1` route needs an API key and sees only its app's workflows and runs.
 */
export function createGatewayApp(deps: GatewayDeps): Express {
  const bodyLimitBytes = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(helmet());

  // A request id on every answer and log line, so a user's report can be matched to the logs.
  app.use((request, response, next) => {
    const given = request.get('x-request-id');
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    response.locals.requestId = requestId;
    response.set('X-Request-Id', requestId);
    const started = performance.now();
    const path = request.path; // routers rewrite it on the way down
    response.on('finish', () => {
      const route = routeLabel(request);
      const principal = response.locals.principal as { appId?: string } | undefined;
      const durationMs = performance.now() - started;
      deps.logger.info('request', {
        requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Math.round(durationMs),
        ...(principal?.appId === undefined ? {} : { appId: principal.appId }),
      });
      const labels = { route, method: request.method };
      deps.metrics?.httpRequests.inc({ ...labels, status: String(response.statusCode) });
      deps.metrics?.httpDuration.observe(labels, durationMs / 1000);
    });
    next();
  });

  // Tests check every JSON answer against the OpenAPI document through this hook.
  const observe = deps.observeResponse;
  if (observe) {
    app.use((request, response, next) => {
      const json = response.json.bind(response);
      response.json = (body: unknown) => {
        const sent = json(body);
        // The route is only right in its own handler: errors are answered after routers unwind.
        const route = (request.route as { path?: unknown } | undefined)?.path;
        observe({
          method: request.method,
          path: request.originalUrl.split('?')[0] ?? '',
          ...(typeof route === 'string' && response.statusCode < 400
            ? { route: request.baseUrl + route }
            : {}),
          status: response.statusCode,
          contentType: response.get('content-type'),
          body,
        });
        return sent;
      };
      next();
    });
  }

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    const readiness = await checkReadiness(deps.readiness ?? {});
    response
      .status(readiness.ready ? 200 : 503)
      .json({ status: readiness.ready ? 'ready' : 'unready', checks: readiness.checks });
  });

  app.get('/metrics', async (request, response) => {
    if (!deps.metrics) throw new ApiError('not_found', 'Metrics are not enabled', {});
    if (!metricsScrapeAllowed(request.get('authorization'), deps.metricsToken)) {
      response.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'invalid_metrics_token',
        'Send METRICS_TOKEN as Authorization: Bearer <token> to read metrics',
      );
    }
    const { contentType, body } = await deps.metrics.exposition();
    response.type(contentType).send(body);
  });

  // The OpenAPI document and its HTML rendering, open to all like /healthz.
  app.use(openApiRoutes());

  // The web console's files, open to all: it signs in with an API key in the browser.
  app.use('/console', consoleRoutes());

  // Both APIs: authenticate before reading a body (an anonymous caller gets no JSON parsing from
  // us), and throttle before it too, so a throttled caller costs one map lookup. One limiter:
  // a key's budget covers /v1 and /api together.
  const failures = new AuthFailures(deps.authFailuresPerMinute);
  const authenticate = requireApiKey(deps.apps, failures);
  const throttle = rateLimitPerKey(deps.rateLimitPerMinute);
  const jsonBody = express.json({
    limit: bodyLimitBytes,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });

  const feeds = new RunFeeds(deps.runs, deps.logger);
  const streams =
    deps.liveStreams ??
    new LiveStreams({
      revokedAmong: (keyIds) => deps.apps.revokedAmong(keyIds),
      logger: deps.logger,
    });

  // Operators' routes, before /v1's: they take the admin token, not an API key.
  const admin = express.Router();
  admin.use(requireAdminToken(deps.adminToken, failures), noStore);
  // Uploads' bodies are bytes of any type, read as they arrive: before JSON bodies are parsed.
  admin.use(adminArtifactUploadRoutes(deps));
  admin.use(forBodies(requireJsonBody), forBodies(jsonBody));
  admin.use(adminRoutes(deps, streams));
  app.use('/v1/admin', admin);

  const v1 = express.Router();
  v1.use(authenticate, throttle, noStore);
  v1.use(artifactUploadRoutes(deps));
  v1.use(forBodies(requireJsonBody), forBodies(jsonBody));
  v1.use('/workflows', runRoutes(deps));
  v1.use('/workflows', runEventRoutes(deps, feeds, streams));
  v1.use('/workflows', workflowRoutes(deps));
  v1.use('/task-types', taskTypeRoutes(deps));
  v1.use('/keys', keyRoutes(deps, streams));
  v1.use(dataRoutes(deps));
  v1.use('/webhooks', webhookRoutes(deps));
  app.use('/v1', v1);

  // Seed 000's API: the same authentication, body parsing and errors as /v1.
  const seed = express.Router();
  seed.use(authenticate, throttle, noStore, forBodies(requireJsonBody), forBodies(jsonBody));
  seed.use(seedApiRoutes(deps));
  app.use('/api', seed);

  app.use((request) => {
    throw routeNotFound(request);
  });

  const handleError: ErrorRequestHandler = (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const requestId = response.locals.requestId as string | undefined;
    let known =
      error instanceof ApiError
        ? error
        : (bodyParserError(error, bodyLimitBytes) ?? pathDecodeError(error));
    if (!known) {
      deps.logger.error('request failed', {
        requestId,
        method: request.method,
        path: request.path,
        error: error instanceof Error ? error.message : String(error),
        errorName: error instanceof Error ? error.name : typeof error,
        stack: error instanceof Error ? error.stack : undefined,
      });
      known = new ApiError(
        'internal_error',
        'Something went wrong on our side; the request id identifies it in our logs',
        { requestId },
      );
    }
    response.status(known.status).json(known.toBody());
  };
  app.use(handleError);

  return app;
}
