// Weft as the benchmarks run it: the real services as processes on the broker and database of
// `npm run infra:up` (or KAFKA_BROKERS / MONGODB_URI), in a Kafka namespace and a database of
// their own, removed afterwards. Also the CPU and memory of every process, read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { freePort, serviceArguments, waitFor, type ServiceName } from '@weft/infra';
import { createKafkaClient } from '@weft/kafka';
import { AppStore, connectDatabase } from '@weft/store';

const ROOT = join(__dirname, '..');

export interface WeftOptions {
  /** Worker processes at start. */
  workers: number;
  /** Step types the workers serve. */
  stepTypes: string;
  /** Steps each worker runs at once. */
  workerConcurrency: number;
  /** Partitions of every step topic (and of step results). */
  partitions: number;
  /** WEFT_KAFKA_CLIENT for every service. Default: the services' own default. */
  kafkaClient?: string;
}

interface Service {
  name: string;
  child: ChildProcess;
  /** Where its Prometheus metrics are served. */
  metricsUrl: string;
}

/** What a service has sent so far, from its metrics. */
export interface ServiceCounters {
  databaseCommands?: number;
  kafkaRequests?: number;
}

export class WeftSystem {
  private readonly services: Service[] = [];
  private workerCount = 0;

  private constructor(
    readonly url: string,
    readonly apiKey: string,
    readonly connection: Connection,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: WeftOptions,
    private readonly brokers: string,
    readonly namespace: string,
  ) {}

  static async start(options: WeftOptions): Promise<WeftSystem> {
    for (const service of ['gateway', 'orchestrator', 'worker']) {
      if (!existsSync(join(ROOT, 'services', service, 'dist', 'main.js'))) {
        throw new Error(`services/${service}/dist/main.js is missing: run \`npx tsc -b\` first`);
      }
    }
    const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
    const mongo = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/weft');
    const namespace = `bench-${randomBytes(3).toString('hex')}`;
    mongo.pathname = `/${namespace.replaceAll('-', '_')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: brokers,
      MONGODB_URI: mongo.toString(),
      WEFT_KAFKA_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      WEFT_STEP_PARTITIONS: String(options.partitions),
      WEFT_RESULT_PARTITIONS: String(options.partitions),
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      ...(options.kafkaClient ? { WEFT_KAFKA_CLIENT: options.kafkaClient } : {}),
    };
    const connection = await connectDatabase(mongo.toString());
    const { apiKey } = await new AppStore(connection).createApp('bench');
    const port = await freePort();
    const system = new WeftSystem(
      `http://127.0.0.1:${port}`,
      apiKey,
      connection,
      env,
      options,
      brokers,
      namespace,
    );
    system.spawn('gateway', 'gateway', `${system.url}/metrics`, {
      PORT: String(port),
      RATE_LIMIT_PER_MINUTE: '0',
    });
    await waitFor(
      'the gateway',
      async () =>
        (await fetch(`${system.url}/readyz`).catch(() => undefined))?.ok ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await system.spawnWithHealthPort('orchestrator', 'orchestrator', {});
    for (let i = 0; i < options.workers; i++) await system.addWorker();
    return system;
  }

  /** Starts one more worker process; its name. */
  async addWorker(): Promise<string> {
    const name = `worker-${++this.workerCount}`;
    await this.spawnWithHealthPort(name, 'worker', {
      STEP_TYPES: this.options.stepTypes,
      WORKER_CONCURRENCY: String(this.options.workerConcurrency),
      WORKER_ID: name,
    });
    return name;
  }

  /**
   * Database commands and Kafka requests each running service has sent, from its metrics
   * (`weft_database_commands_total`, `weft_kafka_requests_total`); a service that does not
   * answer is left out.
   */
  async counters(): Promise<Map<string, ServiceCounters>> {
    const counters = new Map<string, ServiceCounters>();
    for (const [name, text] of await this.metrics()) {
      counters.set(name, {
        databaseCommands: sumOf(text, 'weft_database_commands_total'),
        kafkaRequests: sumOf(text, 'weft_kafka_requests_total'),
      });
    }
    return counters;
  }

  /** Each running service's Prometheus exposition; a service that does not answer is left out. */
  async metrics(): Promise<Map<string, string>> {
    const read = await Promise.all(
      this.services.map(async ({ name, metricsUrl }) => {
        const response = await fetch(metricsUrl).catch(() => undefined);
        return response?.ok ? [[name, await response.text()] as const] : [];
      }),
    );
    return new Map(read.flat());
  }

  /** SIGKILLs a service, as a crash would. */
  kill(name: string): void {
    const index = this.services.findIndex((service) => service.name === name);
    if (index < 0) throw new Error(`no service ${name}`);
    this.services[index]!.child.kill('SIGKILL');
    this.services.splice(index, 1);
  }

  /** The processes that make the system: Weft's services, and the broker and database. */
  processes(): { name: string; pid: number }[] {
    const own = this.services.flatMap((service) =>
      service.child.pid === undefined ? [] : [{ name: service.name, pid: service.child.pid }],
    );
    return [...own, ...infraProcesses()];
  }

  async stop(): Promise<void> {
    // Stopped before their topics go, so they do not complain about topics vanishing under them.
    await Promise.all(
      this.services.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await this.connection.dropDatabase().catch(() => undefined);
    await this.connection.close();
    const admin = await createKafkaClient({
      brokers: this.brokers.split(','),
      clientId: this.namespace,
      namespace: this.namespace,
      logLevel: 'nothing',
    }).admin();
    await admin.deleteTopics(await admin.listTopics()).catch(() => undefined);
    await admin.disconnect();
  }

  /** Spawns a service whose health server (and metrics) listens on a port chosen for it. */
  private async spawnWithHealthPort(
    name: string,
    service: ServiceName,
    extra: Record<string, string>,
  ): Promise<void> {
    const port = await freePort();
    this.spawn(name, service, `http://127.0.0.1:${port}/metrics`, {
      HEALTH_PORT: String(port),
      ...extra,
    });
  }

  private spawn(
    name: string,
    service: ServiceName,
    metricsUrl: string,
    extra: Record<string, string>,
  ): void {
    // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the services.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, ...serviceArguments(service)], {
      env: { ...this.env, HEALTH_PORT: '0', ...extra },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.services.push({ name, child, metricsUrl });
  }
}

/**
 * The sum of every sample of a counter in a Prometheus text exposition; undefined when the
 * service does not export it (a build from before it did).
 */
function sumOf(exposition: string, metric: string): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    sum = (sum ?? 0) + (Number(line.slice(line.lastIndexOf(' ') + 1)) || 0);
  }
  return sum;
}

/** The broker and database `npm run infra:up` started, when it did. */
function infraProcesses(): { name: string; pid: number }[] {
  const state = join(ROOT, '.weft', 'infra', 'state.json');
  if (!existsSync(state)) return [];
  try {
    const parsed = JSON.parse(readFileSync(state, 'utf8')) as Record<string, { pid?: number }>;
    return Object.entries(parsed).flatMap(([name, entry]) =>
      typeof entry.pid === 'number' && existsSync(`/proc/${entry.pid}`)
        ? [{ name: name === 'database' ? 'database' : 'kafka broker', pid: entry.pid }]
        : [],
    );
  } catch {
    return [];
  }
}

/** CPU time (ms, user + system) and resident memory (MB) of a process, from /proc. */
function readProcess(pid: number): { cpuMs: number; rssMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    // Linux reports CPU time in clock ticks of 1/100 s.
    return { cpuMs: ticks * 10, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

export interface ProcessUsage {
  name: string;
  /** Share of one core over the window, in percent. */
  cpuPercent: number;
  /** CPU time over the window, ms. */
  cpuMs: number;
  /** Highest resident memory seen, MB. */
  peakRssMb: number;
}

/** Samples CPU and memory of `processes` from now until `stop()`. */
export function watchProcesses(processes: () => { name: string; pid: number }[]): {
  stop(): ProcessUsage[];
} {
  const startedAt = Date.now();
  const first = new Map<string, { pid: number; cpuMs: number }>();
  const peak = new Map<string, number>();
  const sample = () => {
    for (const { name, pid } of processes()) {
      const reading = readProcess(pid);
      if (!reading) continue;
      if (!first.has(name)) first.set(name, { pid, cpuMs: reading.cpuMs });
      peak.set(name, Math.max(peak.get(name) ?? 0, reading.rssMb));
    }
  };
  sample();
  const timer = setInterval(sample, 500);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const wallMs = Math.max(1, Date.now() - startedAt);
      return [...first].flatMap(([name, { pid, cpuMs }]) => {
        const last = readProcess(pid);
        if (!last) return [];
        return [
          {
            name,
            cpuPercent: Math.round(((last.cpuMs - cpuMs) / wallMs) * 100),
            cpuMs: last.cpuMs - cpuMs,
            peakRssMb: Math.round(peak.get(name) ?? last.rssMb),
          },
        ];
      });
    },
  };
}
