import type { OutgoingMessage } from './client';

/** The most value bytes one coalesced request carries: under the broker's message size limit. */
export const MAX_COALESCED_BYTES = 900_000;

export type TopicMessages = { topic: string; messages: OutgoingMessage[] }[];

interface Pending {
  topic: string;
  messages: OutgoingMessage[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Sends made in the same turn of the event loop go to the broker as one produce request, as a
 * Java producer's linger would batch them: under load, dozens of steps report at once, and one
 * request carries them all. Each caller still learns its own outcome; a batch the broker refuses
 * is retried message by message, so one bad message cannot fail the others.
 */
export class CoalescingSender {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sendBatch: (batch: TopicMessages) => Promise<unknown>,
    private readonly maxBytes = MAX_COALESCED_BYTES,
  ) {}

  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const bytes = messages.reduce(
        (sum, message) => sum + (message.value === null ? 0 : Buffer.byteLength(message.value)),
        0,
      );
      this.queue.push({ topic, messages, bytes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let group: Pending[] = [];
    let bytes = 0;
    for (const pending of queue) {
      if (group.length > 0 && bytes + pending.bytes > this.maxBytes) {
        void this.sendGroup(group);
        group = [];
        bytes = 0;
      }
      group.push(pending);
      bytes += pending.bytes;
    }
    if (group.length > 0) void this.sendGroup(group);
  }

  private async sendGroup(group: Pending[]): Promise<void> {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const pending of group) {
      const messages = byTopic.get(pending.topic) ?? [];
      messages.push(...pending.messages);
      byTopic.set(pending.topic, messages);
    }
    try {
      await this.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      for (const pending of group) pending.resolve();
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // Part of the batch may have been written: sending again is at least once, as always.
      await Promise.all(
        group.map((pending) =>
          this.sendBatch([{ topic: pending.topic, messages: pending.messages }]).then(
            () => pending.resolve(),
            (reason: unknown) => pending.reject(reason),
          ),
        ),
      );
    }
  }
}
