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

/**
 * A third listener speaking SASL_SSL, for testing clients against a secured cluster. The broker
 * keeps its plaintext listener for itself and for waitForKafka; clients bootstrapped through this
 * one are told of this one only, so all their traffic goes over TLS.
 */
export interface SecuredListener {
  port: number;
  /** PEM: the broker's unencrypted private key (PKCS #8), then its certificate chain. */
  keystoreFile: string;
  /** PEM: the CAs that sign the client certificates it accepts. With it, each needs one (mTLS). */
  clientCaFile?: string;
  /**
   * Who may authenticate, with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; the SCRAM credentials are
   * stored when the storage is formatted, so they are those of the broker's first start.
   */
  users: readonly { username: string; password: string }[];
}

/** Each listener's security protocol; SECURED is the {@link SecuredListener}. */
const PROTOCOLS = [
  'PLAINTEXT:PLAINTEXT',
  'CONTROLLER:PLAINTEXT',
  'PROXIED:PLAINTEXT',
  'SECURED:SASL_SSL',
].join(',');

/** The SASL mechanisms a {@link SecuredListener} offers. */
const SECURED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

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
  secured?: SecuredListener;
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
  writeFileSync(
    properties,
    serverProperties(dataDir, ports, member, options.proxied, options.secured),
  );
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
        ...scramCredentials(options.secured),
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
  secured: SecuredListener | undefined,
): string {
  const { factor, minInsync } = replicationOf(member.voters.length);
  const voters = member.voters
    .map((voter) => `${voter.nodeId}@127.0.0.1:${voter.controllerPort}`)
    .join(',');
  const listeners = [
    `PLAINTEXT://127.0.0.1:${ports.broker}`,
    `CONTROLLER://127.0.0.1:${ports.controller}`,
    ...(proxied ? [`PROXIED://127.0.0.1:${proxied.port}`] : []),
    ...(secured ? [`SECURED://127.0.0.1:${secured.port}`] : []),
  ];
  const advertised = [
    `PLAINTEXT://127.0.0.1:${ports.broker}`,
    ...(proxied ? [`PROXIED://127.0.0.1:${proxied.advertisedPort}`] : []),
    ...(secured ? [`SECURED://127.0.0.1:${secured.port}`] : []),
  ];
  return `# Written by Weft's infra tool on every start; edits are overwritten.
process.roles=broker,controller
node.id=${member.nodeId}
controller.quorum.voters=${voters}
listeners=${listeners.join(',')}
advertised.listeners=${advertised.join(',')}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=${PROTOCOLS}
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
${secured ? securedProperties(secured) : ''}`;
}

/** The secured listener's TLS and SASL settings. */
function securedProperties(secured: SecuredListener): string {
  const prefix = 'listener.name.secured';
  const plainUsers = secured.users
    .map(({ username, password }) => `user_${username}=${JSON.stringify(password)}`)
    .join(' ');
  const lines = [
    `${prefix}.sasl.enabled.mechanisms=${SECURED_MECHANISMS.join(',')}`,
    `${prefix}.plain.sasl.jaas.config=${PLAIN_LOGIN} required ${plainUsers};`,
    `${prefix}.scram-sha-256.sasl.jaas.config=${SCRAM_LOGIN} required;`,
    `${prefix}.scram-sha-512.sasl.jaas.config=${SCRAM_LOGIN} required;`,
    `${prefix}.ssl.keystore.type=PEM`,
    `${prefix}.ssl.keystore.location=${secured.keystoreFile}`,
    ...(secured.clientCaFile
      ? [
          `${prefix}.ssl.truststore.type=PEM`,
          `${prefix}.ssl.truststore.location=${secured.clientCaFile}`,
          `${prefix}.ssl.client.auth=required`,
        ]
      : []),
  ];
  return lines.join('\n') + '\n';
}

const PLAIN_LOGIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_LOGIN = 'org.apache.kafka.common.security.scram.ScramLoginModule';

/** `--add-scram` arguments of the storage tool: each user, for both SCRAM mechanisms. */
function scramCredentials(secured: SecuredListener | undefined): string[] {
  return (secured?.users ?? []).flatMap(({ username, password }) =>
    SECURED_MECHANISMS.filter((mechanism) => mechanism.startsWith('SCRAM')).flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${JSON.stringify(username)},password=${JSON.stringify(password)}]`,
    ]),
  );
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
