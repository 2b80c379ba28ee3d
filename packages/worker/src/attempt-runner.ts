// Executing a step: one attempt, from its handler to its report, metrics and log lines.

import { StepFailure, type Envelope } from '@weft/core';
import { inSpan, type Logger, type WeftMetrics } from '@weft/observability';
import { executeStep, type TaskTypes } from './execute-step';
import type { ReportPublisher } from './report-publisher';
import { endedReport } from './step-reports';
import type { ArtifactFile } from '@weft/client';

/** Raised as an abort reason when the worker stops: the step is handed back, not failed. */
export const HANDED_BACK = new StepFailure('worker_stopping', 'the worker is stopping');

/** Stores a handler's artifact for the run's app; see TaskContext.storeArtifact. */
export type ArtifactUpload = (
  appId: string,
  runId: string,
  body: Uint8Array,
  contentType: string,
) => Promise<ArtifactFile>;

/**
 * Runs attempts and reports them: each in its trace, with its deadline and an abort signal, then
 * its result or failure.
 */
export class AttemptRunner {
  constructor(
    private readonly taskTypes: TaskTypes,
    private readonly workerId: string,
    private readonly reports: ReportPublisher,
    private readonly uploadArtifact: ArtifactUpload,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {}

  /**
   * Runs one attempt, granted and started at `startedAt`, until it settles or `signal` aborts it,
   * and reports it; resolves true when it was handed back (aborted with HANDED_BACK) instead,
   * unreported.
   */
  run(message: Envelope<'step.execute'>, signal: AbortSignal, startedAt: number): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    return inSpan(
      `weft.step ${message.payload.task}`,
      {
        traceparent: message.traceparent,
        attributes: { 'weft.run_id': runId, 'weft.node_id': nodeId, 'weft.attempt': attempt },
      },
      (traceparent) => this.attempt(message, signal, startedAt, traceparent),
    );
  }

  private async attempt(
    message: Envelope<'step.execute'>,
    signal: AbortSignal,
    startedAt: number,
    traceparent: string | undefined,
  ): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const { task, appId } = message.payload;
    const log = this.log.child({ runId, nodeId, attempt, task });
    const queuedAt = Date.parse(message.createdAt);
    if (Number.isFinite(queuedAt)) {
      this.metrics?.stepQueue.observe({ task }, Math.max(0, startedAt - queuedAt) / 1000);
    }
    const outcome = await executeStep(this.taskTypes, task, message.payload.inputs, {
      runId,
      nodeId,
      attempt,
      appId,
      idempotencyKey: message.payload.idempotencyKey,
      signal,
      log,
      // The process's leases are renewed on their own; a handler's beats matter to its own watch.
      heartbeat: () => undefined,
      storeArtifact: (body, { contentType }) =>
        this.uploadArtifact(appId, runId, body, contentType),
      ...(message.payload.model_id !== undefined ? { model_id: message.payload.model_id } : {}),
      ...(message.payload.timeoutMs !== undefined ? { timeoutMs: message.payload.timeoutMs } : {}),
    });
    if (signal.reason === HANDED_BACK) {
      log.info('step handed back');
      return true;
    }
    const finishedAt = Date.now();
    const header = { runId, nodeId, attempt, ...(traceparent ? { traceparent } : {}) };
    const times = { workerId: this.workerId, startedAt, finishedAt };
    const { report, value } = endedReport(header, times, outcome);
    this.metrics?.stepDuration.observe({ task }, (finishedAt - startedAt) / 1000);
    if (report.type === 'step.failed') {
      const { error } = report.payload;
      this.metrics?.stepAttempts.inc({ task, outcome: 'failed' });
      this.metrics?.stepFailures.inc({ task, code: error.code });
      log.info('step failed', { code: error.code, retryable: error.retryable });
    } else {
      this.metrics?.stepAttempts.inc({ task, outcome: 'succeeded' });
      log.debug('step succeeded', { durationMs: finishedAt - startedAt });
    }
    await this.reports.report(report, value);
    return false;
  }
}
