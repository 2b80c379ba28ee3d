import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { stepTopic } from '@weft/core';

/**
 * How many `step.execute` messages each attempt (`runId:nodeId:attempt`) has in the step topics of
 * `tasks`, read from the beginning. It tells the two ways an attempt can run twice apart: the
 * message was published twice (an outbox published again after a crash or outage), or one message
 * was delivered twice (a redelivery of uncommitted offsets). `brokers` as KAFKA_BROKERS has them.
 */
export async function countStepMessages(
  brokers: string,
  tasks: readonly string[],
  timeoutMs = 60_000,
): Promise<Map<string, number>> {
  const kafka = new Kafka({
    // `host:port,host:port`: a cluster's brokers are a list, not one address.
    brokers: brokers.split(','),
    clientId: 'chaos-audit',
    logLevel: logLevel.NOTHING,
  });
  const topics = tasks.map((task) => stepTopic(task));
  const ends = new Map<string, number>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        if (Number(partition.high) > Number(partition.low)) {
          ends.set(`${topic}:${partition.partition}`, Number(partition.high));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  const copies = new Map<string, number>();
  if (ends.size === 0) return copies;
  const consumer = kafka.consumer({ groupId: `chaos-audit-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading the step topics took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            try {
              const envelope = JSON.parse(message.value?.toString('utf8') ?? '') as {
                runId?: string;
                nodeId?: string;
                attempt?: number;
              };
              const key = `${envelope.runId}:${envelope.nodeId}:${envelope.attempt}`;
              copies.set(key, (copies.get(key) ?? 0) + 1);
            } catch {
              // Not an envelope: not ours to count.
            }
            const end = ends.get(`${topic}:${partition}`);
            if (end !== undefined && Number(message.offset) + 1 >= end) {
              ends.delete(`${topic}:${partition}`);
              if (ends.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return copies;
}
