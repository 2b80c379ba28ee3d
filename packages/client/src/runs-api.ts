import type { WebhookDeliveries } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';
import type {
  ListRunsParams,
  RunPage,
  RunSummary,
  RunView,
  StartedRun,
  StartRunRequest,
  WebhookDelivery,
} from './types';

/** A fresh `Idempotency-Key`: random, so two calls never share one by accident. */
export function newIdempotencyKey(): string {
  return `weft-client-${globalThis.crypto.randomUUID()}`;
}

/** Runs: `/v1/workflows/run` and `/v1/workflows/runs`. */
export class RunsApi {
  constructor(private readonly transport: Transport) {}

  /**
   * Starts a run of a saved workflow (by `workflowSlug` or `workflowId`, optionally a `version`)
   * or of an inline `plan`. Always sent with an `Idempotency-Key` (a random one unless given), so
   * the client's retries can never start the run twice.
   */
  async start(request: StartRunRequest, options?: CallOptions): Promise<StartedRun> {
    const { idempotencyKey = newIdempotencyKey(), ...body } = request;
    const started = await this.transport.json<Omit<StartedRun, 'idempotencyKey'>>({
      method: 'POST',
      path: '/v1/workflows/run',
      body,
      headers: { 'idempotency-key': idempotencyKey },
      idempotent: true,
      ...signalOf(options),
    });
    return { ...started, idempotencyKey };
  }

  /** The run with its input, nodes and outputs. */
  get(runId: string, options?: CallOptions): Promise<RunView> {
    return this.transport.json<RunView>({
      method: 'GET',
      path: `/v1/workflows/runs/${segment(runId)}`,
      ...signalOf(options),
    });
  }

  /** One page of the app's runs, newest first. */
  list(params: ListRunsParams = {}, options?: CallOptions): Promise<RunPage> {
    return this.transport.json<RunPage>({
      method: 'GET',
      path: '/v1/workflows/runs',
      query: {
        status: params.status,
        slug: params.slug,
        limit: params.limit,
        cursor: params.cursor,
      },
      ...signalOf(options),
    });
  }

  /** Every run matching the filters, newest first, fetching page after page as it is iterated. */
  async *listAll(
    params: Omit<ListRunsParams, 'cursor'> & { cursor?: string } = {},
    options?: CallOptions,
  ): AsyncGenerator<RunSummary, void, undefined> {
    let cursor = params.cursor;
    do {
      const page = await this.list({ ...params, cursor }, options);
      yield* page.runs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Cancels the run; cancelling a cancelled run answers it again (409 `run_already_ended` otherwise). */
  cancel(runId: string, options?: CallOptions): Promise<RunView> {
    return this.transport.json<RunView>({
      method: 'POST',
      path: `/v1/workflows/runs/${segment(runId)}/cancel`,
      // A repeated cancel changes nothing, by the API's contract.
      idempotent: true,
      ...signalOf(options),
    });
  }

  /** Resumes a failed, cancelled or timed-out run from where it stopped. */
  resume(runId: string, options?: CallOptions): Promise<RunView> {
    return this.transport.json<RunView>({
      method: 'POST',
      path: `/v1/workflows/runs/${segment(runId)}/resume`,
      ...signalOf(options),
    });
  }

  /** The run's webhook deliveries, with every attempt. */
  async deliveries(runId: string, options?: CallOptions): Promise<WebhookDelivery[]> {
    const { deliveries } = await this.transport.json<WebhookDeliveries>({
      method: 'GET',
      path: `/v1/workflows/runs/${segment(runId)}/deliveries`,
      ...signalOf(options),
    });
    return deliveries;
  }
}
