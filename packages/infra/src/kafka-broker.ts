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

/** This broker's place in a cluster of combined brokers and controllers. */
export interface KafkaClusterMember {
  /** 1, 2, 3… */
  nodeId: number;
  /** Every member's controller port by node id: the controller quorum. */
  voters: readonly { nodeId: number; controllerPort: number }[];
  /** The same for every member: their storage is formatted with it. */
  clusterId: string;
}

/**
 * A second listener whose clients are told to reach this broker at `advertisedPort` (a proxy the
 * caller runs in front of `port`): clients bootstrapped through it keep all their traffic on it,
 * so the proxy can cut them off from the cluster without touching anyone else.
 */
export interface ProxiedListener {
  port: number;
  advertisedPort: number;
}

/** Replication of a cluster of `size` brokers: three copies, two needed to acknowledge. */
export function replicationOf(size: number): { factor: number; minInsync: number } {
  const factor = Math.min(3, size);
  return { factor, minInsync: factor >= 3 ? 2 : 1 };
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
 * Starts a combined broker and controller in KRaft mode on 127.0.0.1, formatting its storage on
 * first start: alone, or as one `member` of a cluster (topics then get three replicas, two of
 * which must acknowledge a write). Its data, configuration and logs live under `dir`.
 */
export async function startKafka(options: {
  dir: string;
  libs: string;
  ports: KafkaPorts;
  logFile: string;
  heapMb?: number;
  member?: KafkaClusterMember;
  proxied?: ProxiedListener;
}): Promise<DetachedProcess> {
  const { dir, libs, ports, logFile } = options;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const member = options.member ?? {
    nodeId: 1,
    voters: [{ nodeId: 1, controllerPort: ports.controller }],
    clusterId: newClusterId(),
  };
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dataDir, ports, member, options.proxied));
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
        member.clusterId,
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

function serverProperties(
  dataDir: string,
  ports: KafkaPorts,
  member: KafkaClusterMember,
  proxied: ProxiedListener | undefined,
): string {
  const { factor, minInsync } = replicationOf(member.voters.length);
  const voters = member.voters
    .map((voter) => `${voter.nodeId}@127.0.0.1:${voter.controllerPort}`)
    .join(',');
  const listeners = [
    `PLAINTEXT://127.0.0.1:${ports.broker}`,
    `CONTROLLER://127.0.0.1:${ports.controller}`,
    ...(proxied ? [`PROXIED://127.0.0.1:${proxied.port}`] : []),
  ];
  const advertised = [
    `PLAINTEXT://127.0.0.1:${ports.broker}`,
    ...(proxied ? [`PROXIED://127.0.0.1:${proxied.advertisedPort}`] : []),
  ];
  return `# Written by Weft's infra tool on every start; edits are overwritten.
process.roles=broker,controller
node.id=${member.nodeId}
controller.quorum.voters=${voters}
listeners=${listeners.join(',')}
advertised.listeners=${advertised.join(',')}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=${factor}
min.insync.replicas=${minInsync}
offsets.topic.replication.factor=${factor}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${factor}
transaction.state.log.min.isr=${minInsync}
share.coordinator.state.topic.replication.factor=${factor}
share.coordinator.state.topic.min.isr=${minInsync}
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

/** Waits until a broker answers a metadata request naming `size` brokers (a whole cluster). */
export async function waitForKafka(brokers: string, timeoutMs = 90_000, size = 1): Promise<void> {
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
        return cluster.brokers.length >= size ? true : undefined;
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
