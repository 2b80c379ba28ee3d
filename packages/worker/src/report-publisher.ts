// Reporting: what a worker publishes, on `weft.step-results` and `weft.dead-letters`.

import { setTimeout as sleep } from 'node:timers/promises';
import { STEP_RESULTS_TOPIC, transientRetryDelayMs, type Envelope } from '@weft/core';
import {
  sendToDeadLetters,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaProducer,
  type OutgoingMessage,
} from '@weft/kafka';
import type { Logger } from '@weft/observability';

/**
 * Publishes each attempt's reports, keyed by run so one run's reports reach the orchestrator in
 * order, and dead-letters the messages on a step topic no step can come of.
 */
export class ReportPublisher {
  private producer?: KafkaProducer;

  constructor(
    private readonly kafka: KafkaClient,
    /** The worker, as the one who dead-lettered a message. */
    private readonly workerId: string,
    /** Aborted when the worker stops: a report the broker keeps refusing is then given up. */
    private readonly stopping: AbortSignal,
    private readonly log: Logger,
  ) {}

  async connect(): Promise<void> {
    this.producer = await this.kafka.producer();
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** Publishes a step report, retrying while the broker is away: a lost report is a lost step. */
  report(message: Envelope, value = JSON.stringify(message)): Promise<void> {
    return this.send([outgoing(message, value)]);
  }

  /** Publishes several reports in one request (heartbeats), retrying as `report` does. */
  reportMany(messages: readonly Envelope[]): Promise<void> {
    return this.send(messages.map((message) => outgoing(message, JSON.stringify(message))));
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer?.send(STEP_RESULTS_TOPIC, messages);
        return;
      } catch (error) {
        if (this.stopping.aborted && attempt > 3) throw error;
        this.log.warn('could not publish a step report; retrying', {
          runId: messages[0]?.key,
          error,
        });
        await sleep(transientRetryDelayMs(attempt));
      }
    }
  }

  /** Sends a message no step can come of to `weft.dead-letters`, saying why. */
  deadLetter(message: ConsumedMessage, problem: { code: string; reason: string }): Promise<void> {
    const { code, reason } = problem;
    return sendToDeadLetters(this.producer, message, { code, reason, by: this.workerId }, this.log);
  }
}

/** A report as sent: keyed by run, so one run's reports reach the orchestrator in order. */
function outgoing(message: Envelope, value: string): OutgoingMessage {
  return {
    key: message.runId,
    value,
    ...(message.traceparent ? { headers: { traceparent: message.traceparent } } : {}),
  };
}
