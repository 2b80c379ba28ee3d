import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  FaultPlan,
  pathOf,
  pause,
  sendBytes,
  sendJson,
  startRecordingServer,
  type FakeFailure,
  type RecordedRequest,
} from './fake-http';
import { FAKE_PNG_BASE64 } from './openai-server';

export type { FakeFailure, RecordedRequest } from './fake-http';

/** A queue status fal reports. */
export type FakeFalStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface FakeFalOptions {
  /** When set, queue requests without `Authorization: Key <key>` get 401. Default: no check. */
  key?: string;
  /**
   * Status polls a request answers before COMPLETED: the first is IN_QUEUE (when there are two or
   * more), the rest IN_PROGRESS. Default: 2, so IN_QUEUE, IN_PROGRESS, then COMPLETED.
   */
  pollsBeforeComplete?: number;
  /**
   * The origin put into `status_url`, `response_url` and `cancel_url`. Default: the fake's own.
   * Set it to another server's to check that a client does not follow foreign URLs.
   */
  queueUrlOrigin?: string;
}

/** One queued model run, as the fake tracks it. */
export interface FakeFalJob {
  requestId: string;
  /** The full model id submitted to, e.g. `fal-ai/wan/v2.2-5b/text-to-video`. */
  modelId: string;
  input: unknown;
  /** Every status a status poll answered, in order (the submit's IN_QUEUE is not included). */
  statuses: FakeFalStatus[];
  /** Whether a cancel arrived before the run completed. */
  cancelled: boolean;
  /** How many times the result was fetched. */
  resultFetches: number;
}

/** A fake of fal's queue API (`queue.fal.run`) on 127.0.0.1. */
export interface FakeFal {
  /** The base URL clients are configured with, in place of `https://queue.fal.run`. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Every submitted run, oldest first. */
  jobs: FakeFalJob[];
  /** The job with this request id; throws when there is none, naming the ids there are. */
  job(requestId: string): FakeFalJob;
  /**
   * The next `count` requests of any kind (submit, status, result, cancel, file) are answered with
   * `failure`; its body defaults to fal's `{detail: …}`.
   */
  failNext(count: number, failure: FakeFailure): void;
  /** The next `count` requests of any kind are answered only after `ms`. */
  delayNext(count: number, ms: number): void;
  /**
   * From now until `reset()`, runs complete but their result GET answers `status` and `body`, as
   * fal does when the model itself fails (e.g. 422 `{detail: [{loc, msg, type}]}`).
   */
  failResultWith(status: number, body: unknown): void;
  /** Forgets requests, jobs, queued failures and a failing result. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the fake. It speaks fal's queue protocol:
 * - `POST /<modelId>` → 200 `{status: 'IN_QUEUE', request_id, status_url, response_url,
 *   cancel_url, queue_position}`; like fal, the URLs use only the model's owner/app
 *   (`/fal-ai/wan/requests/<id>` for `fal-ai/wan/v2.2-5b/text-to-video`);
 * - `GET …/requests/<id>/status` → 202 IN_QUEUE / IN_PROGRESS, then 200 COMPLETED;
 * - `GET …/requests/<id>` → the result: `{video: {url, content_type, file_size}, seed}` when the
 *   model id contains `video` or `wan`, else `{images: [{url, width, height, content_type}], seed}`;
 *   400 while the run is not complete;
 * - `PUT …/requests/<id>/cancel` → 202 `{status: 'CANCELLATION_REQUESTED'}`, or 400
 *   `{status: 'ALREADY_COMPLETED'}`;
 * - `GET /files/<name>` → the PNG or MP4 bytes a result points at (no key needed, like fal's CDN).
 * Any path prefix before `/requests/` is accepted, so clients may build URLs with the full model id.
 */
export async function startFakeFal(options: FakeFalOptions = {}): Promise<FakeFal> {
  const pollsBeforeComplete = options.pollsBeforeComplete ?? 2;
  const faults = new FaultPlan();
  const jobs: FakeFalJob[] = [];
  const polls = new Map<string, number>();
  let failingResult: { status: number; body: unknown } | undefined;

  const server = await startRecordingServer(async (request, response) => {
    const { delayMs, failure } = faults.take();
    if (delayMs !== undefined) await pause(delayMs, response);
    if (failure !== undefined) {
      sendJson(
        response,
        failure.status,
        failure.body ?? { detail: `Fake failure (${failure.status})` },
        {
          ...failure.headers,
        },
      );
      return;
    }
    const path = pathOf(request);
    if (request.method === 'GET' && path.startsWith('/files/')) return serveFile(path, response);
    if (options.key !== undefined && request.headers.authorization !== `Key ${options.key}`) {
      sendJson(response, 401, { detail: 'Authentication is required to access this application.' });
      return;
    }
    const queue = /^\/(.+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
    if (queue === null) {
      if (request.method === 'POST') return submit(request, response, path.slice(1));
      return sendJson(response, 405, { detail: 'Method Not Allowed' });
    }
    const job = jobs.find((candidate) => candidate.requestId === queue[2]);
    if (job === undefined) return sendJson(response, 404, { detail: 'Request not found' });
    const action = `${request.method} ${queue[3] ?? ''}`;
    if (action === 'GET /status') return status(job, response);
    if (action === 'PUT /cancel') return cancel(job, response);
    if (action === 'GET ') return result(job, response);
    return sendJson(response, 405, { detail: 'Method Not Allowed' });
  });
  const urlOrigin = options.queueUrlOrigin ?? server.origin;

  function queueUrls(job: FakeFalJob): Record<string, string> {
    const appId = job.modelId.split('/').slice(0, 2).join('/');
    const base = `${urlOrigin}/${appId}/requests/${job.requestId}`;
    return {
      request_id: job.requestId,
      response_url: base,
      status_url: `${base}/status`,
      cancel_url: `${base}/cancel`,
    };
  }

  function submit(request: RecordedRequest, response: ServerResponse, modelId: string): void {
    if (modelId.split('/').filter((segment) => segment !== '').length < 2) {
      return sendJson(response, 404, { detail: `Application '${modelId}' not found` });
    }
    if (request.json === undefined) {
      return sendJson(response, 422, {
        detail: [{ loc: ['body'], msg: 'Expected a JSON object', type: 'type_error' }],
      });
    }
    const job: FakeFalJob = {
      requestId: randomUUID(),
      modelId,
      input: request.json,
      statuses: [],
      cancelled: false,
      resultFetches: 0,
    };
    jobs.push(job);
    polls.set(job.requestId, 0);
    sendJson(response, 200, { status: 'IN_QUEUE', ...queueUrls(job), queue_position: 0 });
  }

  function statusOf(job: FakeFalJob): FakeFalStatus {
    const seen = polls.get(job.requestId) ?? 0;
    if (seen >= pollsBeforeComplete) return 'COMPLETED';
    return seen === 0 && pollsBeforeComplete > 1 ? 'IN_QUEUE' : 'IN_PROGRESS';
  }

  function status(job: FakeFalJob, response: ServerResponse): void {
    const current = statusOf(job);
    polls.set(job.requestId, (polls.get(job.requestId) ?? 0) + 1);
    job.statuses.push(current);
    const urls = queueUrls(job);
    if (current === 'IN_QUEUE') {
      return sendJson(response, 202, { status: current, ...urls, queue_position: 0 });
    }
    if (current === 'IN_PROGRESS') {
      const logs = [
        {
          message: 'fake: step 1/1',
          level: 'INFO',
          source: 'user',
          timestamp: new Date().toISOString(),
        },
      ];
      return sendJson(response, 202, { status: current, ...urls, logs });
    }
    sendJson(response, 200, {
      status: current,
      ...urls,
      logs: [],
      metrics: { inference_time: 0.01 },
    });
  }

  function cancel(job: FakeFalJob, response: ServerResponse): void {
    if (statusOf(job) === 'COMPLETED') {
      return sendJson(response, 400, { status: 'ALREADY_COMPLETED' });
    }
    job.cancelled = true;
    sendJson(response, 202, { status: 'CANCELLATION_REQUESTED' });
  }

  function result(job: FakeFalJob, response: ServerResponse): void {
    if (statusOf(job) !== 'COMPLETED') {
      return sendJson(response, 400, { detail: 'Request is still in progress' });
    }
    job.resultFetches += 1;
    if (failingResult !== undefined) {
      return sendJson(response, failingResult.status, failingResult.body);
    }
    sendJson(response, 200, fakeFalResult(job.modelId, job.input, job.requestId, server.origin));
  }

  return {
    url: server.origin,
    requests: server.requests,
    jobs,
    job: (requestId) => {
      const job = jobs.find((candidate) => candidate.requestId === requestId);
      if (job === undefined) {
        const known = jobs.map((candidate) => candidate.requestId).join(', ');
        throw new Error(`fake fal has no request ${requestId}; it has: ${known || 'none'}`);
      }
      return job;
    },
    failNext: (count, failure) => faults.failNext(count, failure),
    delayNext: (count, ms) => faults.delayNext(count, ms),
    failResultWith: (status, body) => {
      failingResult = { status, body };
    },
    reset: () => {
      server.requests.length = 0;
      jobs.length = 0;
      polls.clear();
      faults.reset();
      failingResult = undefined;
    },
    close: () => server.close(),
  };
}

/** The result the fake returns for a run: deterministic given the model id and input. */
export function fakeFalResult(
  modelId: string,
  input: unknown,
  requestId: string,
  origin: string,
): Record<string, unknown> {
  const fields =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const seed =
    typeof fields.seed === 'number'
      ? fields.seed
      : createHash('sha256').update(JSON.stringify(input)).digest().readUInt32BE(0);
  if (/video|wan/.test(modelId)) {
    return {
      video: {
        url: `${origin}/files/${requestId}.mp4`,
        content_type: 'video/mp4',
        file_name: `${requestId}.mp4`,
        file_size: FAKE_MP4.length,
      },
      seed,
    };
  }
  const count =
    typeof fields.num_images === 'number' ? Math.max(1, Math.min(fields.num_images, 4)) : 1;
  const { width, height } = imageSize(fields.image_size);
  return {
    images: Array.from({ length: count }, (_, index) => ({
      url: `${origin}/files/${requestId}-${index}.png`,
      width,
      height,
      content_type: 'image/png',
    })),
    seed,
    has_nsfw_concepts: Array.from({ length: count }, () => false),
    prompt: typeof fields.prompt === 'string' ? fields.prompt : '',
  };
}

/** fal's default `image_size`, landscape_4_3. */
const DEFAULT_IMAGE_SIZE = { width: 1024, height: 768 };

const IMAGE_SIZES: Record<string, { width: number; height: number }> = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
};

function imageSize(value: unknown): { width: number; height: number } {
  if (typeof value === 'object' && value !== null) {
    const { width, height } = value as Record<string, unknown>;
    if (typeof width === 'number' && typeof height === 'number') return { width, height };
  }
  return (typeof value === 'string' ? IMAGE_SIZES[value] : undefined) ?? DEFAULT_IMAGE_SIZE;
}

/** An MP4 `ftyp` box: enough for a sniffer to call the bytes video/mp4. */
const FAKE_MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom', 'latin1'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isomiso2', 'latin1'),
]);

function serveFile(path: string, response: ServerResponse): void {
  if (path.endsWith('.mp4')) return sendBytes(response, 200, FAKE_MP4, 'video/mp4');
  if (path.endsWith('.png')) {
    return sendBytes(response, 200, Buffer.from(FAKE_PNG_BASE64, 'base64'), 'image/png');
  }
  sendJson(response, 404, { detail: 'Not Found' });
}
