import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaClient } from '@weft/kafka';
import {
  chooseDatabase,
  type DatabaseKind,
  type DetachedProcess,
  ensureKafkaJars,
  freePort,
  isRunning,
  type KafkaPorts,
  newClusterId,
  replicationOf,
  startDatabase,
  startKafka,
  stopProcess,
  waitFor,
  waitForDatabase,
  waitForKafka,
} from '@weft/infra';
import { KafkaProxy } from './kafka-proxy';
import { setTimeout as sleep } from 'node:timers/promises';

/** Kafka's heap here: the machine is small and shared (a cluster's brokers get less each). */
const KAFKA_HEAP_MB = 384;
const CLUSTER_HEAP_MB = 320;

/** One broker: its ports, its proxy for the worker that may be cut off, its process. */
interface Member {
  nodeId: number;
  ports: KafkaPorts;
  /** The proxied listener's own port, and the proxy's in front of it. */
  proxiedPort: number;
  proxyPort: number;
  process?: DetachedProcess;
}

/**
 * A private Kafka cluster (one broker, or three with replication factor 3 and
 * `min.insync.replicas` 2) and database for one chaos run, on free ports under `dir`, which this
 * program alone may stop, pause and start again (same ports, same data) without disturbing
 * anything else. Every broker also listens behind a {@link KafkaProxy}, so that one worker, and
 * only it, can be cut off from the cluster.
 */
export class ChaosInfra {
  private database?: DetachedProcess;
  private proxies: KafkaProxy[] = [];

  private constructor(
    readonly dir: string,
    private readonly libs: string,
    private readonly members: Member[],
    private readonly clusterId: string,
    readonly databasePort: number,
    readonly databaseKind: DatabaseKind,
  ) {}

  /** Brokers in the cluster. */
  get size(): number {
    return this.members.length;
  }

  /** Every broker, as `KAFKA_BROKERS` takes them. */
  get kafkaBrokers(): string {
    return this.members.map((member) => `127.0.0.1:${member.ports.broker}`).join(',');
  }

  /** Every broker behind its proxy: a client bootstrapped here stays behind the proxies. */
  get proxiedKafkaBrokers(): string {
    return this.members.map((member) => `127.0.0.1:${member.proxyPort}`).join(',');
  }

  /** `MONGODB_URI` for database `name`. */
  mongoUri(name = 'weft'): string {
    return `mongodb://127.0.0.1:${this.databasePort}/${name}`;
  }

  /** Pids of what runs now, for a last-resort kill when this program dies. */
  pids(): number[] {
    return [...this.members.map((member) => member.process?.pid), this.database?.pid].filter(
      (pid): pid is number => pid !== undefined,
    );
  }

  static async start(
    dir: string,
    log: (line: string) => void,
    brokers: number = 1,
  ): Promise<ChaosInfra> {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const libs = await ensureKafkaJars(join(dir, 'logs', 'kafka.log'));
    const taken = new Set<number>();
    const port = async () => {
      let candidate = await freePort();
      while (taken.has(candidate)) candidate = await freePort();
      taken.add(candidate);
      return candidate;
    };
    const members: Member[] = [];
    for (let nodeId = 1; nodeId <= brokers; nodeId++) {
      members.push({
        nodeId,
        ports: { broker: await port(), controller: await port() },
        proxiedPort: await port(),
        proxyPort: await port(),
      });
    }
    const databasePort = await port();
    // mongo-java-server unless WEFT_LOCAL_DATABASE or a mongod on PATH says otherwise.
    const kind = chooseDatabase(process.env);
    const infra = new ChaosInfra(dir, libs, members, newClusterId(), databasePort, kind);
    const heap = brokers === 1 ? KAFKA_HEAP_MB : CLUSTER_HEAP_MB;
    const { factor, minInsync } = replicationOf(brokers);
    log(
      `starting ${brokers === 1 ? 'Kafka' : `a ${brokers}-broker Kafka cluster (replication ${factor}, min.insync.replicas ${minInsync})`} on ${infra.kafkaBrokers} (heap ${heap} MB each) and ${kind} on ${databasePort}`,
    );
    infra.proxies = await Promise.all(
      members.map((member) => KafkaProxy.start(member.proxyPort, member.proxiedPort)),
    );
    await Promise.all([infra.startKafka(), infra.startDatabase()]);
    await infra.warmUp();
    return infra;
  }

  /** Starts every broker that is not running, and waits until the whole cluster answers. */
  async startKafka(): Promise<void> {
    await Promise.all(
      this.members.filter((member) => !member.process).map((member) => this.launch(member)),
    );
    await waitForKafka(this.kafkaBrokers, 120_000, this.size);
  }

  async stopKafka(): Promise<void> {
    await Promise.all(this.members.map((member) => this.stopBroker(member.nodeId)));
  }

  /** Starts one broker again, with its data, and waits until the cluster counts it. */
  async startBroker(nodeId: number): Promise<void> {
    await this.launch(this.member(nodeId));
    await waitForKafka(this.kafkaBrokers, 120_000, this.size);
  }

  /** Stops one broker: SIGTERM (a clean shutdown), or SIGKILL (a crash). */
  async stopBroker(nodeId: number, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const member = this.member(nodeId);
    if (!member.process) return;
    if (signal === 'SIGKILL') {
      signalProcess(member.process.pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (isRunning(member.process) && Date.now() < deadline) await sleep(50);
    } else {
      await stopProcess(member.process, 30_000);
    }
    member.process = undefined;
  }

  /** SIGSTOPs one broker (true) or lets it go on (false). */
  pauseBroker(nodeId: number, paused: boolean): void {
    const pid = this.member(nodeId).process?.pid;
    if (pid !== undefined) signalProcess(pid, paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Cuts the clients of the proxied listeners off the cluster (true), or lets them back (false). */
  partitionProxied(cut: boolean): void {
    for (const proxy of this.proxies) {
      if (cut) proxy.partition();
      else proxy.heal();
    }
  }

  async startDatabase(): Promise<void> {
    this.database = await startDatabase({
      kind: this.databaseKind,
      dir: join(this.dir, this.databaseKind),
      port: this.databasePort,
      logFile: join(this.dir, 'logs', 'database.log'),
    });
    await waitForDatabase(this.mongoUri(), 90_000);
  }

  async stopDatabase(): Promise<void> {
    if (this.database) await stopProcess(this.database, 30_000);
  }

  /** SIGSTOPs the database (true) or lets it go on (false): a stall, every connection kept. */
  pauseDatabase(paused: boolean): void {
    if (this.database) signalProcess(this.database.pid, paused ? 'SIGSTOP' : 'SIGCONT');
  }

  kafkaRunning(): boolean {
    return this.members.every((member) => member.process && isRunning(member.process));
  }

  async stop(): Promise<void> {
    for (const pid of this.pids()) signalProcess(pid, 'SIGCONT');
    await Promise.all([this.stopKafka(), this.stopDatabase()]);
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
  }

  private member(nodeId: number): Member {
    const member = this.members.find((candidate) => candidate.nodeId === nodeId);
    if (!member) throw new Error(`no broker ${nodeId}`);
    return member;
  }

  private async launch(member: Member): Promise<void> {
    member.process = await startKafka({
      dir: join(this.dir, `kafka-${member.nodeId}`),
      libs: this.libs,
      ports: member.ports,
      logFile: join(this.dir, 'logs', `kafka-${member.nodeId}.log`),
      heapMb: this.size === 1 ? KAFKA_HEAP_MB : CLUSTER_HEAP_MB,
      member: {
        nodeId: member.nodeId,
        voters: this.members.map((each) => ({
          nodeId: each.nodeId,
          controllerPort: each.ports.controller,
        })),
        clusterId: this.clusterId,
      },
      proxied: { port: member.proxiedPort, advertisedPort: member.proxyPort },
    });
  }

  /** A fresh broker creates its group-offsets topic on the first coordinator lookup: do it now. */
  private async warmUp(): Promise<void> {
    const client = createKafkaClient({
      brokers: this.kafkaBrokers.split(','),
      clientId: 'chaos-warm-up',
      logLevel: 'nothing',
    });
    const admin = await client.admin();
    try {
      await waitFor(
        "the broker's group coordinator",
        async () => {
          await admin.describeGroups(['chaos-warm-up']);
          return true;
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      await admin.disconnect();
    }
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
