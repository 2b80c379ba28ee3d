// The orchestrator's answers to workers' claims and heartbeats, on `weft.step-leases`.

import { randomUUID } from 'node:crypto';
import {
  envelope,
  leaseAnswer,
  STEP_LEASES_TOPIC,
  type Envelope,
  type RunRecord,
  type StepResultEnvelope,
} from '@weft/core';
import type { KafkaProducer } from '@weft/kafka';
import type { Logger } from '@weft/observability';

type LeaseReport = Envelope<'step.claim' | 'step.heartbeat'>;

function isLeaseReport(report: StepResultEnvelope): report is LeaseReport {
  return report.type === 'step.claim' || report.type === 'step.heartbeat';
}

/**
 * Answers a claim (granted, held, closed) or a heartbeat whose lease is gone (lost), read on the
 * run once the report was applied (a grant before it is written: see RunEngine's
 * applyStepResultSoon). An answer is never in an outbox: if it is lost, the worker asks again
 * and the run, unchanged, gives the same answer.
 */
export class LeaseAnswers {
  constructor(
    private readonly producer: () => KafkaProducer | undefined,
    private readonly log: Logger,
  ) {}

  /** Sends the answer `report` calls for, if any; `run` undefined: no such run. */
  answer(report: StepResultEnvelope, run: RunRecord | undefined): void {
    if (!isLeaseReport(report)) return;
    const decision = leaseAnswer(run, report);
    if (decision === undefined) return;
    const answer = envelope({
      id: randomUUID(),
      type: 'step.lease',
      runId: report.runId,
      ...(report.nodeId !== undefined ? { nodeId: report.nodeId } : {}),
      ...(report.attempt !== undefined ? { attempt: report.attempt } : {}),
      createdAt: Date.now(),
      payload: { holder: report.payload.holder, decision },
    });
    // Not awaited: the next result of the partition need not wait for the broker's ack.
    this.producer()
      ?.send(STEP_LEASES_TOPIC, [{ key: report.runId, value: JSON.stringify(answer) }])
      .catch((error: unknown) => {
        this.log.warn('could not answer a lease; the worker will ask again', {
          runId: report.runId,
          nodeId: report.nodeId,
          error,
        });
      });
  }
}
