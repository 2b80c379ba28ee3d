// Attempt leases: the orchestrator's word on which worker process runs an attempt, so that a
// message a rebalance hands to a second worker never has its side effect twice. Only Kafka is
// involved: claims and heartbeats go on `weft.step-results`, answers come on `weft.step-leases`.

import { randomUUID } from 'node:crypto';
import {
  attemptKey,
  envelope,
  StepFailure,
  type Envelope,
  type LeaseDecision,
  type StepResultEnvelope,
} from '@weft/core';
import type { Logger, PeriodicTasks } from '@weft/observability';
import type { ReportPublisher } from './report-publisher';

/** How long a claim waits for its answer before asking again (the answer may have been lost). */
const ANSWER_WAIT_MS = 5_000;

/**
 * What to do with an attempt: `run` it, granted; `drop` it, as another holder runs it or the run
 * no longer needs it; or hand it back, unclaimed, as the worker is `stopping`.
 */
export type ClaimDecision = 'run' | 'drop' | 'stopping';

/** Raised as an abort reason when the orchestrator says the lease is gone. */
export const LEASE_LOST = new StepFailure(
  'worker_lost',
  "the attempt's lease ended before it finished; another attempt runs instead",
);

interface HeldAttempt {
  header: { runId: string; nodeId: string; attempt: number; traceparent?: string };
  /** Aborts the attempt's handler. */
  controller: AbortController;
}

/**
 * This process as a holder of attempt leases. It claims each attempt before its side effect and
 * runs it only once granted; it renews the leases of the attempts it runs with heartbeats, so
 * that a worker that dies or hangs loses them (the orchestrator then runs another attempt); and
 * it gives back the attempts it hands back when it stops.
 */
export class LeaseHolder {
  /** This process: a restarted worker with the same id is another holder. */
  readonly holder: string;
  private readonly holderBytes: Buffer;
  private readonly waiting = new Map<string, (decision: LeaseDecision) => void>();
  private readonly held = new Map<string, HeldAttempt>();

  constructor(
    private readonly reports: ReportPublisher,
    private readonly workerId: string,
    /** How long a lease lasts without a heartbeat. */
    private readonly leaseMs: number,
    /** Aborted when the worker stops: an attempt still waiting for its answer is handed back. */
    private readonly stopping: AbortSignal,
    private readonly log: Logger,
  ) {
    this.holder = `${workerId}:${randomUUID().slice(0, 8)}`;
    // As JSON writes it: a worker id may hold characters JSON escapes.
    this.holderBytes = Buffer.from(JSON.stringify(this.holder));
  }

  /** Renews the leases held, on `periodic`, often enough that one lost heartbeat costs nothing. */
  startBeating(periodic: PeriodicTasks): void {
    periodic.every(Math.max(100, Math.floor(this.leaseMs / 4)), () => this.beat());
  }

  /**
   * Claims the attempt before its side effect, and waits for the orchestrator's answer (asking
   * again if none comes). Granted, the attempt is held until `end`; `controller` aborts it if the
   * lease is lost meanwhile.
   */
  async claim(
    message: Envelope<'step.execute'>,
    controller: AbortController,
    startedAt: number,
  ): Promise<ClaimDecision> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const key = attemptKey(runId, nodeId, attempt);
    const header = {
      runId,
      nodeId,
      attempt,
      ...(message.traceparent ? { traceparent: message.traceparent } : {}),
    };
    const claim = envelope({
      ...header,
      id: randomUUID(),
      type: 'step.claim',
      createdAt: startedAt,
      payload: { workerId: this.workerId, holder: this.holder, startedAt, leaseMs: this.leaseMs },
    });
    while (!this.stopping.aborted) {
      const answered = this.answerTo(key);
      try {
        await this.reports.report(claim);
      } catch (error) {
        // Only while stopping: the report was given up on.
        this.waiting.delete(key);
        this.log.warn('could not claim an attempt', { runId, nodeId, attempt, error });
        return 'stopping';
      }
      const decision = await answered;
      if (decision === undefined) continue;
      if (decision === 'granted') {
        this.held.set(key, { header, controller });
        return 'run';
      }
      this.log.info(
        decision === 'held' ? 'attempt run by another worker' : 'attempt no longer needed',
        { runId, nodeId, attempt, decision },
      );
      return 'drop';
    }
    return 'stopping';
  }

  /**
   * Ends this process's hold on an attempt; `handedBack` tells the orchestrator, which queues it
   * again at once (else its lease would have to run out first).
   */
  async end(message: Envelope<'step.execute'>, handedBack: boolean): Promise<void> {
    const key = attemptKey(message.runId, message.nodeId ?? '', message.attempt ?? 1);
    const held = this.held.get(key);
    this.held.delete(key);
    if (!held || !handedBack) return;
    try {
      await this.reports.report(this.leaseReport(held, 'step.released'));
    } catch (error) {
      // Its lease runs out instead, and another attempt runs then.
      this.log.warn('could not hand an attempt back', { ...held.header, error });
    }
  }

  /** False for an answer's bytes that cannot be addressed to this holder (it is not in them). */
  mayBeFor(value: Buffer): boolean {
    return value.includes(this.holderBytes);
  }

  /** Takes an answer from `weft.step-leases`; those addressed to other holders are not ours. */
  onAnswer(answer: Envelope<'step.lease'>): void {
    if (answer.payload.holder !== this.holder) return;
    const key = attemptKey(answer.runId, answer.nodeId ?? '', answer.attempt ?? 1);
    const waiting = this.waiting.get(key);
    if (waiting) {
      this.waiting.delete(key);
      waiting(answer.payload.decision);
      return;
    }
    const held = this.held.get(key);
    if (held && answer.payload.decision === 'lost') {
      this.log.warn('lost the lease of a running attempt; aborting it', held.header);
      held.controller.abort(LEASE_LOST);
    }
  }

  /** The answer to the claim of `key`, or undefined if none came in time (or we stop). */
  private answerTo(key: string): Promise<LeaseDecision | undefined> {
    return new Promise((resolve) => {
      const done = (decision: LeaseDecision | undefined) => {
        clearTimeout(timer);
        this.stopping.removeEventListener('abort', giveUp);
        resolve(decision);
      };
      const giveUp = () => {
        this.waiting.delete(key);
        done(undefined);
      };
      const timer = setTimeout(giveUp, ANSWER_WAIT_MS);
      this.stopping.addEventListener('abort', giveUp, { once: true });
      this.waiting.set(key, done);
    });
  }

  private async beat(): Promise<void> {
    if (this.held.size === 0) return;
    const beats = [...this.held.values()].map((held) => this.leaseReport(held, 'step.heartbeat'));
    try {
      await this.reports.reportMany(beats);
    } catch (error) {
      // The next beat may get through; a lease lasts several beats.
      this.log.warn('could not renew leases', { attempts: beats.length, error });
    }
  }

  private leaseReport(
    held: HeldAttempt,
    type: 'step.heartbeat' | 'step.released',
  ): StepResultEnvelope {
    const fields = {
      ...held.header,
      id: randomUUID(),
      createdAt: Date.now(),
      payload: { holder: this.holder },
    };
    return type === 'step.heartbeat'
      ? envelope({ ...fields, type })
      : envelope({ ...fields, type });
  }
}
