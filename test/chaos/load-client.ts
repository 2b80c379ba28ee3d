import { randomUUID } from 'node:crypto';
import { probe, randomWorkload, type Workload } from './workloads';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long one request is waited for before it is tried again. */
const REQUEST_TIMEOUT_MS = 10_000;

export class GaveUp extends Error {
  override name = 'GaveUp';
}

export interface HttpAnswer {
  status: number;
  json: Record<string, unknown>;
  /** How many times the request was sent. */
  tries: number;
}

/**
 * The gateway as a careful client sees it: a request that gets no answer, a 5xx or a 429 is sent
 * again with the same `Idempotency-Key` until `deadlineMs` passes.
 */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; idempotencyKey?: string; deadlineMs?: number } = {},
  ): Promise<HttpAnswer> {
    const deadline = Date.now() + (options.deadlineMs ?? 120_000);
    let lastProblem: string;
    for (let tries = 1; ; tries++) {
      try {
        const response = await fetch(this.baseUrl + path, {
          method,
          headers: {
            'x-api-key': this.apiKey,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.idempotencyKey === undefined
              ? {}
              : { 'idempotency-key': options.idempotencyKey }),
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now() + 100)),
        });
        const text = await response.text();
        if (response.status < 500 && response.status !== 429) {
          let json: Record<string, unknown> = {};
          try {
            json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            json = { raw: text };
          }
          return { status: response.status, json, tries };
        }
        lastProblem = `${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (Date.now() >= deadline) {
        throw new GaveUp(`${method} ${path}: gave up after ${tries} tries (${lastProblem})`);
      }
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(tries, 5)) * (0.5 + Math.random() / 2));
    }
  }
}

export interface CancelRecord {
  requestedAt: number;
  /** 200: it was cancelled; 409 run_already_ended: it ended first (as `endedAs`). */
  outcome: 'cancelled' | 'already-ended' | 'gave-up' | 'refused';
  endedAs?: string;
  detail?: string;
}

/** One run the client asked for, and what it was told. The accountant trusts only this. */
export interface Submission {
  seq: number;
  key: string;
  workload: Workload;
  webhookUrl?: string;
  submittedAt: number;
  outcome: 'pending' | 'accepted' | 'rejected' | 'gave-up';
  tries: number;
  runId?: string;
  acceptedAt?: number;
  detail?: string;
  cancel?: CancelRecord;
}

/**
 * An open-loop load: runs are submitted at a fixed rate whatever the system's state, each retried
 * on its own until it is answered, so an outage piles requests up as real clients would.
 */
export class Load {
  readonly submissions: Submission[] = [];
  private readonly pending = new Set<Promise<void>>();
  private running = false;
  private loop?: Promise<void>;
  private seq = 0;
  /** Where the client retried because the gateway or its dependencies were away. */
  retriedRequests = 0;

  constructor(
    private readonly client: GatewayClient,
    private readonly options: { ratePerSecond: number; perRunWebhookUrl: string },
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops submitting and waits until every submission (and cancel) has its answer. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  accepted(): Submission[] {
    return this.submissions.filter((s) => s.outcome === 'accepted');
  }

  /** Submits one run now; resolves with its record once the gateway answered (or we gave up). */
  submit(workload: Workload): { record: Submission; done: Promise<void> } {
    this.seq += 1;
    const record: Submission = {
      seq: this.seq,
      key: `chaos-${this.seq}-${randomUUID()}`,
      workload,
      submittedAt: Date.now(),
      outcome: 'pending',
      tries: 0,
    };
    if (workload.kind !== 'probe' && Math.random() < 0.25) {
      record.webhookUrl = this.options.perRunWebhookUrl;
    }
    this.submissions.push(record);
    const done = this.post(record);
    this.track(done);
    return { record, done };
  }

  /**
   * A probe run (`probeWith`, default `probe`), polled until it ends; resolves with its final
   * status and when it got there.
   */
  async probeRun(
    deadlineMs: number,
    probeWith: (x: number) => Workload = probe,
  ): Promise<{ runId: string; status: string; at: number } | undefined> {
    const deadline = Date.now() + deadlineMs;
    const { record, done } = this.submit(probeWith(this.seq + 1));
    await done;
    if (record.outcome !== 'accepted' || !record.runId) return undefined;
    while (Date.now() < deadline) {
      try {
        const answer = await this.client.request('GET', `/v1/workflows/runs/${record.runId}`, {
          deadlineMs: 2_000,
        });
        const status = answer.json.status as string | undefined;
        if (status && ['completed', 'failed', 'cancelled', 'timed_out'].includes(status)) {
          return { runId: record.runId, status, at: Date.now() };
        }
      } catch {
        // The gateway is away: keep polling until the deadline.
      }
      await sleep(200);
    }
    return undefined;
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.options.ratePerSecond;
    let next = Date.now();
    while (this.running) {
      this.submit(randomWorkload(this.seq + 1));
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async post(record: Submission): Promise<void> {
    try {
      const answer = await this.client.request('POST', '/v1/workflows/run', {
        idempotencyKey: record.key,
        body: {
          plan: record.workload.plan,
          input: record.workload.input,
          ...(record.webhookUrl ? { webhookUrl: record.webhookUrl } : {}),
        },
      });
      record.tries = answer.tries;
      if (answer.tries > 1) this.retriedRequests += 1;
      if (answer.status === 202 || answer.status === 200 || answer.status === 201) {
        record.outcome = 'accepted';
        record.runId = answer.json.runId as string;
        record.acceptedAt = Date.now();
        if (record.workload.kind === 'cancel') this.track(this.cancelLater(record));
      } else {
        record.outcome = 'rejected';
        record.detail = `${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`;
      }
    } catch (error) {
      record.outcome = 'gave-up';
      record.detail = error instanceof Error ? error.message : String(error);
    }
  }

  private async cancelLater(record: Submission): Promise<void> {
    await sleep(200 + Math.random() * 1_300);
    const requestedAt = Date.now();
    try {
      const answer = await this.client.request(
        'POST',
        `/v1/workflows/runs/${record.runId}/cancel`,
        {},
      );
      const error = answer.json.error as
        { code?: string; details?: { status?: string } } | undefined;
      if (answer.status === 200) {
        record.cancel = { requestedAt, outcome: 'cancelled' };
      } else if (answer.status === 409 && error?.code === 'run_already_ended') {
        record.cancel = {
          requestedAt,
          outcome: 'already-ended',
          ...(error.details?.status ? { endedAs: error.details.status } : {}),
        };
      } else {
        record.cancel = {
          requestedAt,
          outcome: 'refused',
          detail: `${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`,
        };
      }
    } catch (error) {
      record.cancel = {
        requestedAt,
        outcome: 'gave-up',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
