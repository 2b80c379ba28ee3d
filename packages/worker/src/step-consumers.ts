// The consumers of a worker's step topics, and the offsets each may commit.

import { workerGroup } from '@weft/core';
import type { ConsumedMessage, KafkaClient, KafkaConsumer } from '@weft/kafka';
import type { Logger } from '@weft/observability';
import type { Intake } from './backlog';
import { OffsetTracker } from './offset-tracker';

/** One topic's consumer, and the messages taken from it and not finished. */
interface Pool {
  consumer: KafkaConsumer;
  topic: string;
  tracker: OffsetTracker;
}

/**
 * One consumer per step topic, in a consumer group of its own: a pool serving other types never
 * takes these partitions. Offsets are committed by hand, each partition's only below its oldest
 * unfinished message, so a crash re-delivers exactly what was unfinished. They pause and resume
 * together, as the backlog's intake.
 */
export class StepConsumers implements Intake {
  private readonly pools: Pool[] = [];

  constructor(
    private readonly kafka: KafkaClient,
    private readonly log: Logger,
  ) {}

  /** The topics consumed. */
  get topics(): string[] {
    return this.pools.map((pool) => pool.topic);
  }

  /**
   * Joins each topic's group in turn, and hands it every message with the tracker of its topic,
   * in which the message is to be begun and ended. Resolves once every consumer is fetching.
   */
  async start(
    topics: readonly string[],
    sessionTimeoutMs: number,
    take: (message: ConsumedMessage, tracker: OffsetTracker) => Promise<void>,
  ): Promise<void> {
    for (const topic of topics) {
      const consumer = await this.kafka.consumer({
        groupId: workerGroup(topic),
        topics: [topic],
        fromBeginning: true,
        autoCommit: false,
        sessionTimeoutMs,
        // A paused consumer (at capacity) looks again after this long once resumed: short, so a
        // busy pool is fed as fast as its steps end.
        maxWaitTimeMs: 100,
      });
      const pool: Pool = { consumer, topic, tracker: new OffsetTracker() };
      this.pools.push(pool);
      await consumer.run(async (message) => take(message, pool.tracker));
    }
  }

  pause(): void {
    for (const pool of this.pools) {
      try {
        pool.consumer.pause([{ topic: pool.topic }]);
      } catch (error) {
        this.log.warn('could not pause a consumer', { topic: pool.topic, error });
      }
    }
  }

  resume(): void {
    for (const pool of this.pools) {
      try {
        pool.consumer.resume([{ topic: pool.topic }]);
      } catch (error) {
        // A consumer kafkajs is restarting (after a broker outage) refuses resume; it starts
        // fetching again by itself once it rejoins, so this is not the worker's end.
        this.log.warn('could not resume a consumer', { topic: pool.topic, error });
      }
    }
  }

  /** Commits each partition's position where it moved: below its oldest unfinished message. */
  async commit(): Promise<void> {
    await Promise.all(
      this.pools.map(async (pool) => {
        const offsets = pool.tracker.committable();
        if (offsets.length === 0) return;
        try {
          await pool.consumer.commit(offsets);
          pool.tracker.markCommitted(offsets);
        } catch (error) {
          // A partition taken away by a rebalance cannot be committed by us; its new owner will.
          this.log.debug('offset commit refused', { topic: pool.topic, error });
        }
      }),
    );
  }

  /** Disconnects every consumer; one that fails to does not keep the others connected. */
  async disconnect(): Promise<void> {
    await Promise.allSettled(this.pools.map((pool) => pool.consumer.disconnect()));
  }
}
