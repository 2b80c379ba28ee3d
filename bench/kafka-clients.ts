// The two Kafka client libraries behind Weft's KafkaClient interface, measured through it on the
// broker of `npm run infra:up` (or KAFKA_BROKERS), in a Kafka namespace of their own:
//   - round trip: one 1 KB message at a time, from send() to the consumer's handler;
//   - load: a few thousand 1 KB messages sent in batches of 100 as fast as the producer acks them,
//     consumed as they arrive (4 partitions, 4 at once), with each message's send-to-handler time;
//   - backlog: a new group reading those messages back from the start.
// Rounds alternate the clients, so neither always runs on a warmer broker. It prints a table and
// the machine it ran on; it never asserts a time.
//
// Run: npx tsc -b && npx tsx bench/kafka-clients.ts [--messages 5000] [--rounds 2]
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  createKafkaClient,
  KAFKA_IMPLEMENTATIONS,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaImplementation,
} from '@weft/kafka';

const MESSAGE_BYTES = 1024;
const BATCH = 100;
const PARTITIONS = 4;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes a positive integer`);
  return value;
}

const MESSAGES = option('messages', 5000);
const ROUNDS = option('rounds', 2);
const ROUND_TRIPS = Math.min(1000, MESSAGES);
const WARM_UP = 50;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

interface Result {
  client: KafkaImplementation;
  round: number;
  roundTrip: number[];
  loadLatency: number[];
  produceRate: number;
  loadRate: number;
  backlogRate: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** A 1 KB value whose first bytes carry the time it was sent, read back by the consumer. */
function payload(sentAt: number): Buffer {
  const value = randomBytes(MESSAGE_BYTES);
  value.writeDoubleBE(sentAt, 0);
  return value;
}

const sentAtOf = (message: ConsumedMessage) => message.value.readDoubleBE(0);

/** Fails a wait that would otherwise hang the benchmark when a message never arrives. */
async function within<T>(wait: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      wait,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function measure(
  client: KafkaImplementation,
  round: number,
  namespace: string,
): Promise<Result> {
  const kafka: KafkaClient = createKafkaClient({
    implementation: client,
    brokers: BROKERS,
    clientId: `${namespace}-${client}`,
    namespace,
  });
  const tag = `${client}-${round}`;
  const admin = await kafka.admin();
  const producer = await kafka.producer();
  try {
    // Round trip: the next message goes once the previous one reached the handler.
    await admin.ensureTopics([{ topic: `${tag}.rtt`, partitions: 1 }]);
    let arrived: ((at: number) => void) | undefined;
    // From the beginning of a topic of its own: kafkajs's run() resolves on joining, before it
    // has looked up the latest offset, so a consumer starting at the latest could miss the first.
    const rttConsumer = await kafka.consumer({
      groupId: `${tag}.rtt`,
      topics: [`${tag}.rtt`],
      fromBeginning: true,
    });
    await rttConsumer.run(async () => arrived?.(performance.now()));
    const roundTrip: number[] = [];
    for (let i = 0; i < WARM_UP + ROUND_TRIPS; i++) {
      const reached = new Promise<number>((resolve) => (arrived = resolve));
      const sentAt = performance.now();
      await producer.send(`${tag}.rtt`, [{ key: `run-${i}`, value: payload(sentAt) }]);
      const at = await within(reached, `round trip ${i} on ${client}`);
      if (i >= WARM_UP) roundTrip.push(at - sentAt);
    }
    await rttConsumer.disconnect();

    // Load: as fast as the producer goes, consumed as it arrives.
    await admin.ensureTopics([{ topic: `${tag}.load`, partitions: PARTITIONS }]);
    const loadLatency: number[] = [];
    let lastAt = 0;
    let allArrived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allArrived = resolve));
    const loadConsumer = await kafka.consumer({
      groupId: `${tag}.load`,
      topics: [`${tag}.load`],
      fromBeginning: true,
      partitionsConsumedConcurrently: PARTITIONS,
    });
    await loadConsumer.run(async (message) => {
      lastAt = performance.now();
      loadLatency.push(lastAt - sentAtOf(message));
      if (loadLatency.length === MESSAGES) allArrived();
    });
    const started = performance.now();
    for (let sent = 0; sent < MESSAGES; sent += BATCH) {
      const count = Math.min(BATCH, MESSAGES - sent);
      const now = performance.now();
      await producer.send(
        `${tag}.load`,
        Array.from({ length: count }, (_, i) => ({
          key: `run-${sent + i}`,
          value: payload(now),
        })),
      );
    }
    const produced = performance.now();
    await within(done, `${MESSAGES} messages on ${client}`);
    await loadConsumer.disconnect();

    // Backlog: a new group reads everything back from the start.
    let read = 0;
    let backlogDone: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => (backlogDone = resolve));
    const backlogStarted = performance.now();
    const backlogConsumer = await kafka.consumer({
      groupId: `${tag}.backlog`,
      topics: [`${tag}.load`],
      fromBeginning: true,
      partitionsConsumedConcurrently: PARTITIONS,
    });
    await backlogConsumer.run(async () => {
      if (++read === MESSAGES) backlogDone();
    });
    await within(caughtUp, `the backlog on ${client}`);
    const backlogTime = performance.now() - backlogStarted;
    await backlogConsumer.disconnect();

    return {
      client,
      round,
      roundTrip: roundTrip.sort((a, b) => a - b),
      loadLatency: loadLatency.sort((a, b) => a - b),
      produceRate: MESSAGES / ((produced - started) / 1000),
      loadRate: MESSAGES / ((lastAt - started) / 1000),
      backlogRate: MESSAGES / (backlogTime / 1000),
    };
  } finally {
    await producer.disconnect();
    await admin.deleteTopics([`${tag}.rtt`, `${tag}.load`]).catch(() => undefined);
    await admin.disconnect();
  }
}

function table(results: Result[]): string {
  const header = [
    'client',
    'round',
    'rtt p50 ms',
    'rtt p99 ms',
    'load p50 ms',
    'load p99 ms',
    'produce msg/s',
    'end-to-end msg/s',
    'backlog msg/s',
  ];
  const rows = results.map((r) => [
    r.client,
    String(r.round),
    percentile(r.roundTrip, 50).toFixed(2),
    percentile(r.roundTrip, 99).toFixed(2),
    percentile(r.loadLatency, 50).toFixed(1),
    percentile(r.loadLatency, 99).toFixed(1),
    Math.round(r.produceRate).toString(),
    Math.round(r.loadRate).toString(),
    Math.round(r.backlogRate).toString(),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const namespace = `bench-kafka-clients-${Date.now().toString(36)}`;
  const results: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? KAFKA_IMPLEMENTATIONS : [...KAFKA_IMPLEMENTATIONS].reverse();
    for (const client of order) {
      process.stderr.write(`round ${round}: ${client}…\n`);
      results.push(await measure(client, round, namespace));
    }
  }
  const cpus = os.cpus();
  console.log(
    `\n${MESSAGES} messages of ${MESSAGE_BYTES} B (batches of ${BATCH}, ${PARTITIONS} partitions); ` +
      `${ROUND_TRIPS} round trips after ${WARM_UP} to warm up; broker ${BROKERS.join(',')}\n`,
  );
  console.log(table(results));
  console.log(
    `\nMachine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `load average ${os.loadavg()[0]?.toFixed(2)}, node ${process.version}; ` +
      'the broker runs on the same machine.',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
