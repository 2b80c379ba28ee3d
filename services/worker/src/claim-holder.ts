// Attempt claiming: the database's word on which worker runs an attempt, so that a message a
// rebalance hands to a second worker never has its side effect twice.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { transientRetryDelayMs, type Envelope } from '@weft/core';
import type { Logger, PeriodicTasks } from '@weft/observability';
import type { AttemptClaims } from '@weft/store';

/** How often a worker says it is alive, for attempts it claimed. */
const HEARTBEAT_MS = 1_000;
/** How often a worker waiting on another's claim looks again. */
const CLAIM_POLL_MS = 500;
/** How often expired claims and heartbeats are deleted. */
const CLAIM_SWEEP_MS = 10 * 60_000;

/**
 * What to do with an attempt: `run` it, claimed; `drop` it, as the run no longer needs it; or
 * hand it back, unclaimed, as the worker is `stopping`.
 */
export type ClaimDecision = 'run' | 'drop' | 'stopping';

/**
 * This process as a holder of attempt claims. It claims each attempt before its side effect; it
 * beats while alive, so a worker that goes silent loses its claims to others; and it gives up the
 * claim of an attempt it hands back.
 */
export class ClaimHolder {
  /** This process, as a claim holder: a restarted worker with the same id is another holder. */
  private readonly holder: string;

  constructor(
    private readonly claims: AttemptClaims,
    workerId: string,
    /** How long a holder may go without beating before its attempts are taken over. */
    private readonly holderStaleMs: number,
    /** Aborted when the worker stops: an attempt still waiting for its claim is handed back. */
    private readonly stopping: AbortSignal,
    private readonly log: Logger,
  ) {
    this.holder = `${workerId}:${randomUUID().slice(0, 8)}`;
  }

  /** Beats once, then on `periodic` until it stops; sweeps expired claims there too. */
  async startBeating(periodic: PeriodicTasks): Promise<void> {
    await this.claims.beat(this.holder);
    periodic.every(HEARTBEAT_MS, () => this.claims.beat(this.holder));
    periodic.every(CLAIM_SWEEP_MS, () => this.claims.sweep());
  }

  /**
   * Claims the attempt before its side effect. When another live worker holds it (a rebalance
   * handed us a message it is still running), waits until the run no longer needs the attempt
   * (reported, timed out, cancelled) or that worker stops beating, and then takes it over.
   */
  async claim(message: Envelope<'step.execute'>): Promise<ClaimDecision> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const key = message.payload.idempotencyKey;
    let waiting = false;
    for (let failures = 0; !this.stopping.aborted;) {
      try {
        const answer = await this.claims.claim(key, this.holder);
        if (answer.claimed) return 'run';
        if (!(await this.claims.attemptIsOpen(runId, nodeId, attempt))) {
          this.log.info('attempt already run by another worker', { runId, nodeId, attempt });
          return 'drop';
        }
        const seen = await this.claims.lastSeen(answer.holder);
        if (seen === undefined || Date.now() - seen > this.holderStaleMs) {
          if (await this.claims.takeOver(key, answer.holder, this.holder)) {
            this.log.info('took over an attempt from a silent worker', {
              runId,
              nodeId,
              attempt,
              from: answer.holder,
            });
            return 'run';
          }
          continue;
        }
        if (!waiting) {
          waiting = true;
          this.log.info('attempt held by another worker; waiting', {
            runId,
            nodeId,
            attempt,
            holder: answer.holder,
          });
        }
        await sleep(CLAIM_POLL_MS);
        failures = 0;
      } catch (error) {
        // The database is away (restarting): the attempt waits for it rather than running blind.
        this.log.warn('could not claim an attempt; retrying', { runId, nodeId, attempt, error });
        await sleep(transientRetryDelayMs(failures++));
      }
    }
    return 'stopping';
  }

  /** Gives up this process's claim, so the next worker runs a handed-back attempt at once. */
  async release(key: string): Promise<void> {
    try {
      await this.claims.release(key, this.holder);
    } catch (error) {
      // It is taken over once this process stops beating.
      this.log.warn('could not release a claim', { key, error });
    }
  }
}
