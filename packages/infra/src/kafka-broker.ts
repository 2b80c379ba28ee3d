import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaClient } from '@weft/kafka';
import { copyDependencies, javaCommand, pomProperty } from './java-tools';
import { cacheDir, repoRoot } from './paths';
import { spawnDetached, type DetachedProcess } from './processes';
import { runCommand } from './run-command';
import { waitFor } from './wait-for';

export interface KafkaPorts {
  broker: number;
  controller: number;
}

/** Kafka's version, as pinned in `deploy/local/kafka/pom.xml`. */
export function kafkaVersion(): string {
  return pomProperty(kafkaPom(), 'kafka.version');
}

function kafkaPom(): string {
  return join(repoRoot(), 'deploy', 'local', 'kafka', 'pom.xml');
}

/**
 * The broker's jars, gathered from Maven Central by Maven on first use and cached outside the
 * repository; returns the folder holding them.
 */
export async function ensureKafkaJars(logFile: string): Promise<string> {
  const libs = join(cacheDir(), `kafka-${kafkaVersion()}`, 'libs');
  const complete = join(libs, '.complete');
  if (existsSync(complete)) return libs;
  mkdirSync(libs, { recursive: true });
  await copyDependencies(kafkaPom(), libs, logFile);
  writeFileSync(complete, new Date().toISOString());
  return libs;
}

/**
 * Starts a single combined broker and controller in KRaft mode on 127.0.0.1, formatting its
 * storage on first start. Its data, configuration and logs live under `dir`.
 */
export async function startKafka(options: {
  dir: string;
  libs: string;
  ports: KafkaPorts;
  logFile: string;
  heapMb?: number;
}): Promise<DetachedProcess> {
  const { dir, libs, ports, logFile } = options;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dataDir, ports));
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, log4jProperties(join(dir, 'server.log')));

  const java = javaCommand();
  const classpath = ['-cp', join(libs, '*'), `-Dlog4j2.configurationFile=${log4j}`];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    await runCommand(
      java,
      [
        ...classpath,
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        newClusterId(),
        '--config',
        properties,
        '--ignore-formatted',
      ],
      { logFile },
    );
  }
  const heap = `${options.heapMb ?? 768}m`;
  return spawnDetached(
    java,
    [
      `-Xms256m`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      ...classpath,
      'kafka.Kafka',
      properties,
    ],
    { logFile, marker: properties },
  );
}

function serverProperties(dataDir: string, ports: KafkaPorts): string {
  return `# Written by Weft's infra tool on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${ports.controller}
listeners=PLAINTEXT://127.0.0.1:${ports.broker},CONTROLLER://127.0.0.1:${ports.controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.broker}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
`;
}

function log4jProperties(file: string): string {
  return `rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=${file}
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
`;
}

/** Waits until a broker answers a metadata request. */
export async function waitForKafka(brokers: string, timeoutMs = 90_000): Promise<void> {
  const client = createKafkaClient({
    brokers: brokers.split(','),
    clientId: 'weft-infra',
    // A broker still starting refuses connections; the probe's own timeout error says enough.
    logLevel: 'nothing',
    connectionTimeoutMs: 1000,
    retries: 0,
  });
  await waitFor(
    `Kafka at ${brokers}`,
    async () => {
      const admin = await client.admin();
      try {
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/**
 * A Kafka cluster id: 16 random bytes in base64url, as Kafka's own. One in 64 would start with
 * `-`, which the storage tool reads as an option and refuses, so those are drawn again.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
