import { randomUUID } from 'node:crypto';
import { TASK_TYPES_TOPIC, taskRegistryGroup } from '@weft/core';
import {
  ensureTopics,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaConsumer,
} from '@weft/kafka';
import { readRegistryRecord, type RegisteredTaskType, type RegistryEntry } from './registry-record';
import { REGISTRY_TOPIC } from './registry-topic';

/** A record of the registry that is not a valid registration (it removes its name, as compaction would). */
export interface InvalidRegistryRecord {
  name: string | null;
  offset: string;
  problems: string[];
}

/** What a reader is told. */
export interface RegistryReaderOptions {
  /** Called after each record is applied. Default: nothing. */
  onChange?: () => void;
  /** Called for a record that is not a valid registration. Default: nothing. */
  onInvalidRecord?: (record: InvalidRegistryRecord) => void;
}

interface Waiter {
  /** The next offset to have read, by partition. */
  until: Map<number, bigint>;
  resolve: () => void;
}

/**
 * Reads the registry into memory and follows it: a consumer in a group of its own (unique per
 * reader, so it always starts from the beginning and never shares the topic's partition), which
 * commits nothing. `caughtUp` says when it has read what the topic held when asked.
 */
export class RegistryReader {
  private readonly types = new Map<string, RegisteredTaskType>();
  /** The next offset to read, by partition: one past the last record applied. */
  private readonly positions = new Map<number, bigint>();
  private waiters: Waiter[] = [];
  private consumer: KafkaConsumer | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: RegistryReaderOptions = {},
  ) {}

  /** Every type registered, by name. */
  get registered(): ReadonlyMap<string, RegisteredTaskType> {
    return this.types;
  }

  /** Creates the topic when it is missing, and starts reading it from its beginning. */
  async start(): Promise<void> {
    await ensureTopics(this.kafka, [REGISTRY_TOPIC]);
    this.consumer = await this.kafka.consumer({
      groupId: taskRegistryGroup(randomUUID()),
      topics: [TASK_TYPES_TOPIC],
      fromBeginning: true,
      autoCommit: false,
      // Registrations are rare: a fetch may wait long, but a removal should show up soon.
      maxWaitTimeMs: 500,
    });
    await this.consumer.run(async (message) => this.apply(message));
  }

  /**
   * Resolves once everything the topic holds now has been read, so what was written before the
   * call is in `registered`; rejects after `timeoutMs`.
   */
  async caughtUp(timeoutMs: number): Promise<void> {
    const admin = await this.kafka.admin();
    let offsets;
    try {
      offsets = await admin.topicOffsets(TASK_TYPES_TOPIC);
    } finally {
      await admin.disconnect();
    }
    // The last record of a partition is never compacted away (compaction leaves the segment being
    // written alone), so reading up to `latest` is always possible.
    const until = new Map(
      offsets
        .filter(({ earliest, latest }) => BigInt(latest) > BigInt(earliest))
        .map(({ partition, latest }) => [partition, BigInt(latest)]),
    );
    if (this.reached(until)) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { until, resolve };
        this.waiters.push(waiter);
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the task type registry (${TASK_TYPES_TOPIC}) was not read to its end within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((other) => other !== waiter);
    }
  }

  /** Stops reading; what was read stays. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private reached(until: ReadonlyMap<number, bigint>): boolean {
    for (const [partition, offset] of until) {
      if ((this.positions.get(partition) ?? 0n) < offset) return false;
    }
    return true;
  }

  private async apply(message: ConsumedMessage): Promise<void> {
    const entry: RegistryEntry = readRegistryRecord(message);
    if (entry.kind === 'registered') {
      this.types.set(entry.name, entry.taskType);
    } else {
      if (entry.name !== null) this.types.delete(entry.name);
      if (entry.kind === 'invalid') {
        const invalid = { name: entry.name, offset: message.offset, problems: entry.problems };
        try {
          this.options.onInvalidRecord?.(invalid);
        } catch {
          // As for onChange below.
        }
      }
    }
    this.positions.set(message.partition, BigInt(message.offset) + 1n);
    // A listener's fault must not make the consumer read this record again and again.
    try {
      this.options.onChange?.();
    } catch {
      // Listeners are the caller's; nothing here depends on them.
    }
    for (const waiter of this.waiters) {
      if (this.reached(waiter.until)) waiter.resolve();
    }
  }
}
