import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaClient } from '@weft/kafka';
import { freePort, waitFor } from '@weft/infra';
import {
  chooseDatabase,
  startDatabase,
  waitForDatabase,
  type DatabaseKind,
} from '../../packages/infra/src/database';
import {
  ensureKafkaJars,
  startKafka,
  waitForKafka,
  type KafkaPorts,
} from '../../packages/infra/src/kafka-broker';
import { isRunning, stopProcess, type DetachedProcess } from '../../packages/infra/src/processes';

/** Kafka's heap here: the machine is small and shared. */
const KAFKA_HEAP_MB = 384;

/**
 * A private Kafka broker and database for one chaos run, on free ports under `dir`, which this
 * program alone may stop and start again (same ports, same data) without disturbing anything else.
 */
export class ChaosInfra {
  private kafka?: DetachedProcess;
  private database?: DetachedProcess;

  private constructor(
    readonly dir: string,
    private readonly libs: string,
    readonly kafkaPorts: KafkaPorts,
    readonly databasePort: number,
    readonly databaseKind: DatabaseKind,
  ) {}

  get kafkaBrokers(): string {
    return `127.0.0.1:${this.kafkaPorts.broker}`;
  }

  /** `MONGODB_URI` for database `name`. */
  mongoUri(name = 'weft'): string {
    return `mongodb://127.0.0.1:${this.databasePort}/${name}`;
  }

  /** Pids of what runs now, for a last-resort kill when this program dies. */
  pids(): number[] {
    return [this.kafka?.pid, this.database?.pid].filter((pid): pid is number => pid !== undefined);
  }

  static async start(dir: string, log: (line: string) => void): Promise<ChaosInfra> {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const libs = await ensureKafkaJars(join(dir, 'logs', 'kafka.log'));
    const broker = await freePort();
    let controller = await freePort();
    while (controller === broker) controller = await freePort();
    let databasePort = await freePort();
    while (databasePort === broker || databasePort === controller) databasePort = await freePort();
    // mongo-java-server unless WEFT_LOCAL_DATABASE or a mongod on PATH says otherwise.
    const kind = chooseDatabase(process.env);
    const infra = new ChaosInfra(dir, libs, { broker, controller }, databasePort, kind);
    log(
      `starting Kafka on 127.0.0.1:${broker} (heap ${KAFKA_HEAP_MB} MB) and ${kind} on ${databasePort}`,
    );
    await Promise.all([infra.startKafka(), infra.startDatabase()]);
    await infra.warmUp();
    return infra;
  }

  async startKafka(): Promise<void> {
    this.kafka = await startKafka({
      dir: join(this.dir, 'kafka'),
      libs: this.libs,
      ports: this.kafkaPorts,
      logFile: join(this.dir, 'logs', 'kafka.log'),
      heapMb: KAFKA_HEAP_MB,
    });
    await waitForKafka(this.kafkaBrokers, 120_000);
  }

  async stopKafka(): Promise<void> {
    if (this.kafka) await stopProcess(this.kafka, 30_000);
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

  kafkaRunning(): boolean {
    return this.kafka !== undefined && isRunning(this.kafka);
  }

  async stop(): Promise<void> {
    await Promise.all([this.stopKafka(), this.stopDatabase()]);
  }

  /** A fresh broker creates its group-offsets topic on the first coordinator lookup: do it now. */
  private async warmUp(): Promise<void> {
    const client = createKafkaClient({
      brokers: [this.kafkaBrokers],
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
