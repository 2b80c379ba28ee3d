// The reports of an attempt, as the orchestrator reads them on `weft.step-results`.

import { randomUUID } from 'node:crypto';
import {
  envelope as makeEnvelope,
  MAX_MESSAGE_BYTES,
  stepError,
  type Envelope,
  type StepError,
} from '@weft/core';
import type { StepOutcome } from './execute-step';

/** What every report of one attempt carries. */
export interface AttemptHeader {
  runId: string;
  nodeId: string;
  attempt: number;
  traceparent?: string;
}

/** Who ran the attempt, and when. */
export interface AttemptTimes {
  workerId: string;
  startedAt: number;
  finishedAt: number;
}

/**
 * The report of how an attempt ended, and its JSON. A report larger than a message may be fails
 * the node with `output_too_large` instead: the broker would refuse it for good, and the node hang.
 */
export function endedReport(
  header: AttemptHeader,
  times: AttemptTimes,
  outcome: StepOutcome,
): { report: Envelope<'step.succeeded' | 'step.failed'>; value: string } {
  const failed = (error: StepError) =>
    makeEnvelope({
      ...header,
      id: randomUUID(),
      type: 'step.failed',
      createdAt: times.finishedAt,
      payload: { ...times, error },
    });
  const report = outcome.ok
    ? makeEnvelope({
        ...header,
        id: randomUUID(),
        type: 'step.succeeded',
        createdAt: times.finishedAt,
        payload: { ...times, result: outcome.result },
      })
    : failed(outcome.error);
  const value = JSON.stringify(report);
  const bytes = Buffer.byteLength(value);
  if (bytes <= MAX_MESSAGE_BYTES) return { report, value };
  const tooLarge = failed(
    stepError(
      'output_too_large',
      `the step's report is ${bytes} bytes; a message may have ${MAX_MESSAGE_BYTES}`,
    ),
  );
  return { report: tooLarge, value: JSON.stringify(tooLarge) };
}
