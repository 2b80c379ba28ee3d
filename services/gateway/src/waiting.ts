import type { Waiting } from '@weft/contract';
import {
  getTaskType,
  hasStepErrorCode,
  stepTopic,
  workerGroup,
  type WorkflowDefinition,
} from '@weft/core';
import type { KafkaClient } from '@weft/kafka';
import type { StoredRun } from '@weft/store';

/** Answers "why is it stuck" for a run's waiting nodes. */
export interface WaitingExplainer {
  explain(run: StoredRun): Promise<Record<string, Waiting>>;
}

interface PoolState {
  members: number;
  lag: number;
  at: number;
}

/** How long a pool's membership and lag are reused: run views are polled often. */
const POOL_STATE_TTL_MS = 5_000;

/**
 * Explains waiting nodes from what the engine and the broker know: a node retrying waits for its
 * backoff (or a provider's rate limit); a queued node waits on its step topic's pool — nobody
 * serves it (the consumer group has no members), or there is a backlog ahead of it.
 */
export class StepPoolExplainer implements WaitingExplainer {
  private readonly pools = new Map<string, PoolState>();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly definitionOf: (run: StoredRun) => Promise<WorkflowDefinition | undefined>,
    private readonly clock: () => number = Date.now,
  ) {}

  async explain(run: StoredRun): Promise<Record<string, Waiting>> {
    const waiting: Record<string, Waiting> = {};
    const queued: string[] = [];
    for (const [nodeId, node] of Object.entries(run.nodes)) {
      if (node.status === 'retrying' && node.retryAt !== undefined) {
        const limited = hasStepErrorCode(node.error, 'provider_rate_limited');
        const until = new Date(node.retryAt).toISOString();
        waiting[nodeId] = {
          reason: limited ? 'rate_limited' : 'backoff',
          message: `attempt ${node.attempt} failed (${node.error?.code ?? 'error'}); ${
            limited ? 'the provider asked to wait' : 'retrying after backoff'
          } until ${until}`,
          until,
        };
      } else if (node.status === 'queued') {
        queued.push(nodeId);
      }
    }
    if (queued.length === 0) return waiting;
    const definition = await this.definitionOf(run);
    if (!definition) return waiting;
    for (const nodeId of queued) {
      const task = definition.dag.nodes[nodeId]?.task;
      if (task === undefined) continue;
      const region = definition.region ?? 'global';
      const topic = stepTopic(task, region);
      const pool = await this.poolState(topic);
      if (!pool) continue;
      const inRegion = region === 'global' ? '' : ` in region ${region}`;
      // A registered type is served by its own worker, which Weft's STEP_TYPES cannot start.
      const start =
        getTaskType(task) === undefined
          ? `start a worker that registers and serves ${task}${inRegion}`
          : `start one with STEP_TYPES=${task}${region === 'global' ? '' : ` REGION=${region}`}`;
      waiting[nodeId] =
        pool.members === 0
          ? {
              reason: 'no_worker',
              message: `no worker serves ${task}${inRegion}: ${start}`,
              topic,
              lag: pool.lag,
            }
          : {
              reason: 'queue_backlog',
              message: `waiting for a ${task} worker: ${pool.lag} step(s) queued on ${topic}`,
              topic,
              lag: pool.lag,
            };
    }
    return waiting;
  }

  private async poolState(topic: string): Promise<PoolState | undefined> {
    const now = this.clock();
    const cached = this.pools.get(topic);
    if (cached && now - cached.at < POOL_STATE_TTL_MS) return cached;
    const group = workerGroup(topic);
    const admin = await this.kafka.admin();
    try {
      const [described] = await admin.describeGroups([group]);
      const [lagged] = await admin.consumerLag(group, [topic]);
      const state = { members: described?.members ?? 0, lag: lagged?.lag ?? 0, at: now };
      if (this.pools.size > 1000) this.pools.clear();
      this.pools.set(topic, state);
      return state;
    } catch {
      // The broker not answering is not a reason to fail the run view.
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
