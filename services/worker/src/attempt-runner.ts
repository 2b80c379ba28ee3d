// Executing a step: one attempt, from its handler to its reports, metrics and log lines.

import { StepFailure, type Envelope } from '@weft/core';
import { inSpan, type Logger, type WeftMetrics } from '@weft/observability';
import { executeStep, type StepHandler } from '@weft/steps';
import type { WorkerOptions } from './config';
import type { ReportPublisher } from './report-publisher';
import { endedReport, startedReport } from './step-reports';

/** Raised as an abort reason when the worker stops: the step is handed back, not failed. */
export const HANDED_BACK = new StepFailure('worker_stopping', 'the worker is stopping');

/**
 * Runs attempts and reports them: each in its trace, with its deadline and an abort signal, the
 * start reported once it has run a moment, then its result or failure.
 */
export class AttemptRunner {
  constructor(
    private readonly handlers: Readonly<Record<string, StepHandler>>,
    private readonly options: Pick<WorkerOptions, 'workerId' | 'startedReportDelayMs'>,
    private readonly reports: ReportPublisher,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {}

  /**
   * Runs one attempt until it settles or `signal` aborts it, and reports it; resolves true when it
   * was handed back (aborted with HANDED_BACK) instead, unreported.
   */
  run(message: Envelope<'step.execute'>, signal: AbortSignal): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    return inSpan(
      `weft.step ${message.payload.task}`,
      {
        traceparent: message.traceparent,
        attributes: { 'weft.run_id': runId, 'weft.node_id': nodeId, 'weft.attempt': attempt },
      },
      (traceparent) => this.attempt(message, signal, traceparent),
    );
  }

  private async attempt(
    message: Envelope<'step.execute'>,
    signal: AbortSignal,
    traceparent: string | undefined,
  ): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const log = this.log.child({ runId, nodeId, attempt, task: message.payload.task });
    const startedAt = Date.now();
    const task = message.payload.task;
    const queuedAt = Date.parse(message.createdAt);
    if (Number.isFinite(queuedAt)) {
      this.metrics?.stepQueue.observe({ task }, Math.max(0, startedAt - queuedAt) / 1000);
    }
    const header = { runId, nodeId, attempt, ...(traceparent ? { traceparent } : {}) };
    // A step that ends within the delay is reported once, by its result (which carries its start
    // time too): one message and one run update fewer for the quick steps most workflows are.
    let started: Promise<void> | undefined;
    const startedTimer = setTimeout(() => {
      started = this.reports.report(startedReport(header, this.options.workerId, startedAt));
      // Awaited below; a rejection before then is not unhandled.
      started.catch(() => undefined);
    }, this.options.startedReportDelayMs);
    const outcome = await executeStep(this.handlers, message.payload.task, message.payload.inputs, {
      runId,
      nodeId,
      attempt,
      appId: message.payload.appId,
      idempotencyKey: message.payload.idempotencyKey,
      signal,
      ...(message.payload.model_id !== undefined ? { model_id: message.payload.model_id } : {}),
      ...(message.payload.timeoutMs !== undefined ? { timeoutMs: message.payload.timeoutMs } : {}),
    });
    clearTimeout(startedTimer);
    // The start goes out before the result: both are keyed by run, so they stay in this order.
    await started;
    if (signal.reason === HANDED_BACK) {
      log.info('step handed back');
      return true;
    }
    const finishedAt = Date.now();
    const times = { workerId: this.options.workerId, startedAt, finishedAt };
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
