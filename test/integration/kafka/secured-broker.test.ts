import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KAFKA_SASL_MECHANISMS, readBaseConfig } from '@weft/config';
import { readGatewayConfig, startGateway } from '@weft/gateway';
import {
  createKafkaClient,
  KAFKA_IMPLEMENTATIONS,
  kafkaClientConfig,
  KafkaConnectionRefused,
  type ConsumedMessage,
  type KafkaClientConfig,
  type KafkaImplementation,
} from '@weft/kafka';
import { createLogger } from '@weft/observability';
import { readOrchestratorConfig, startOrchestrator } from '@weft/orchestrator';
import { AppStore } from '@weft/store';
import { readWebhooksConfig, startWebhooks } from '@weft/webhooks-service';
import { readWorkerConfig, startWorker } from '@weft/worker-service';
import {
  type DetachedProcess,
  ensureKafkaJars,
  freePort,
  serviceArguments,
  startKafka,
  stopProcess,
  waitForKafka,
} from '@weft/infra';
import { TestEngine } from '../../support/engine';
import { requiredEnv, uniqueName, waitFor } from '../../support/test-infrastructure';
import { makeTestCertificates } from '../../support/tls-certificates';
import { startReceiver, type Receiver } from '../webhooks/receiver';

const USERNAME = 'weft-test';
/** Random, so finding it anywhere it should not be cannot be a coincidence. */
const PASSWORD = `right-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`;
const quiet = createLogger('secured-broker-test', { level: 'error' });

/** Everything a string form of `error` could show: its message, stack, causes and fields. */
function everythingIn(error: unknown): string {
  return inspect(error, { depth: null, showHidden: true }) + JSON.stringify(error);
}

async function refusal(attempt: Promise<unknown>): Promise<KafkaConnectionRefused> {
  const error = await attempt.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof KafkaConnectionRefused)) {
    throw new Error(`expected a KafkaConnectionRefused, got ${inspect(error)}`);
  }
  return error;
}

describe('Kafka over SASL_SSL, with client certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-secured-'));
  let broker: DetachedProcess | undefined;
  /** The variables a deployment would set to reach the secured listener. */
  let env: Record<string, string>;
  /** The broker's own plaintext listener. */
  let plaintextBroker: string;

  /** The client `env` (with `changes`; undefined unsets) describes, as a service reads it. */
  function clientConfig(
    implementation: KafkaImplementation,
    changes: Record<string, string | undefined> = {},
  ): KafkaClientConfig {
    const changed: Record<string, string | undefined> = { ...env, ...changes };
    const config = readBaseConfig({ ...changed, MONGODB_URI: 'mongodb://127.0.0.1/unused' });
    return {
      ...kafkaClientConfig(config),
      implementation,
      clientId: uniqueName('secured'),
      logLevel: 'nothing',
    };
  }

  beforeAll(async () => {
    const [libs, certificates, brokerPort, controller, securedPort] = await Promise.all([
      ensureKafkaJars(join(dir, 'fetch.log')),
      makeTestCertificates(dir),
      freePort(),
      freePort(),
      freePort(),
    ]);
    broker = await startKafka({
      dir: join(dir, 'kafka'),
      libs,
      ports: { broker: brokerPort, controller },
      logFile: join(dir, 'kafka.log'),
      heapMb: 384,
      secured: {
        port: securedPort,
        keystoreFile: certificates.brokerKeystoreFile,
        clientCaFile: certificates.caFile,
        users: [{ username: USERNAME, password: PASSWORD }],
      },
    });
    // On the broker's plaintext listener, which it keeps for itself: only the refusals use it.
    plaintextBroker = `127.0.0.1:${brokerPort}`;
    await waitForKafka(plaintextBroker);
    env = {
      KAFKA_BROKERS: `127.0.0.1:${securedPort}`,
      KAFKA_SSL: '1',
      KAFKA_SSL_CA_FILE: certificates.caFile,
      KAFKA_SSL_CERT_FILE: certificates.clientCertFile,
      KAFKA_SSL_KEY_FILE: certificates.clientKeyFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: USERNAME,
      KAFKA_SASL_PASSWORD: PASSWORD,
    };
  }, 120_000);

  afterAll(async () => {
    if (broker) await stopProcess(broker, 10_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(KAFKA_IMPLEMENTATIONS)(
    '%s: produces and consumes over SASL_SSL, authenticating with each mechanism',
    async (implementation) => {
      const topic = uniqueName('secured-round-trip');
      const client = createKafkaClient(clientConfig(implementation));
      const admin = await client.admin();
      await admin.ensureTopics([{ topic, partitions: 1 }]);
      const producer = await client.producer();
      await producer.send(topic, [{ key: 'run_1', value: 'over TLS', headers: { h: 'v' } }]);
      await producer.disconnect();
      const received: ConsumedMessage[] = [];
      const consumer = await client.consumer({
        groupId: uniqueName('secured-group'),
        topics: [topic],
        fromBeginning: true,
        maxWaitTimeMs: 200,
      });
      await consumer.run(async (message) => {
        received.push(message);
      });
      await waitFor('the message to come back', async () => received[0], {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await consumer.disconnect();
      await admin.deleteTopics([topic]);
      await admin.disconnect();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ key: 'run_1', headers: { h: 'v' } });
      expect(received[0]?.value.toString()).toBe('over TLS');

      // The broker offers all three; each signs in as the same user.
      for (const mechanism of KAFKA_SASL_MECHANISMS) {
        const other = createKafkaClient(
          clientConfig(implementation, { KAFKA_SASL_MECHANISM: mechanism }),
        );
        const signedIn = await other.admin();
        expect((await signedIn.describeCluster()).brokers).toEqual([
          expect.objectContaining({ port: Number(env.KAFKA_BROKERS?.split(':')[1]) }),
        ]);
        await signedIn.disconnect();
      }
    },
  );

  describe('a run', () => {
    let engine: TestEngine;
    let receiver: Receiver;
    const stops: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      engine = new TestEngine({ kafkaEnv: env });
      await engine.open();
      receiver = await startReceiver();
    });

    afterAll(async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await receiver?.close();
      await engine?.close();
    });

    it('completes, all four services on the secured broker, each by its own config', async () => {
      const serviceEnv = { ...engine.serviceEnv(), WEBHOOK_ALLOW_PRIVATE: '1' };
      // One at a time: each creates the indexes of its database, and two at once may race.
      const gateway = await startGateway(readGatewayConfig({ ...serviceEnv, PORT: '0' }), {
        log: quiet,
      });
      stops.push(() => gateway.close());
      const orchestrator = await startOrchestrator(readOrchestratorConfig(serviceEnv), {
        log: quiet,
      });
      stops.push(() => orchestrator.stop());
      const worker = await startWorker(
        readWorkerConfig(['core/transform'], { ...serviceEnv, STEP_TYPES: 'core/transform' }),
        { log: quiet },
      );
      stops.push(() => worker.stop());
      const webhooks = await startWebhooks(
        readWebhooksConfig({ ...serviceEnv, PUBLIC_URL: gateway.url }),
        { log: quiet },
      );
      stops.push(() => webhooks.stop());

      const { apiKey } = await new AppStore(engine.connection).createApp('secured');
      const started = await fetch(`${gateway.url}/v1/workflows/run`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          plan: {
            name: 'secured',
            dag: {
              nodes: { greet: { task: 'core/transform', inputs: { value: 'hello ${input.who}' } } },
              edges: [],
            },
          },
          input: { who: 'TLS' },
          webhookUrl: `${receiver.url}/done`,
        }),
      });
      expect(started.status).toBe(202);
      const { runId } = (await started.json()) as { runId: string };

      const run = await engine.waitForRun(runId, undefined, 60_000);
      expect(run.status).toBe('completed');
      // The dispatcher heard of the end from the run events, which it consumes over SASL_SSL.
      const delivered = await waitFor(
        'the run.completed webhook',
        async () => receiver.received[0],
        {
          timeoutMs: 30_000,
          intervalMs: 50,
        },
      );
      expect(JSON.parse(delivered.body)).toMatchObject({
        type: 'run.completed',
        data: { runId, status: 'completed', outputs: { greet: 'hello TLS' } },
      });
    });
  });

  it.each(KAFKA_IMPLEMENTATIONS)(
    '%s: refuses a wrong password at once, saying so without the password',
    async (implementation) => {
      const startedAt = Date.now();
      const error = await refusal(
        createKafkaClient(
          clientConfig(implementation, { KAFKA_SASL_PASSWORD: WRONG_PASSWORD }),
        ).producer(),
      );
      expect(error.code).toBe('authentication_failed');
      expect(error.message).toMatch(
        /^Kafka at 127\.0\.0\.1:\d+ refused SASL authentication as "weft-test" \(SCRAM-SHA-512\): /,
      );
      expect(error.message).toMatch(
        /\. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD$/,
      );
      expect(everythingIn(error)).not.toContain(WRONG_PASSWORD);
      expect(everythingIn(error)).not.toContain(PASSWORD);
      // Not retried: with the default retries and their backoff, that would take over 20 s.
      expect(Date.now() - startedAt).toBeLessThan(15_000);
    },
  );

  it('stops a service given a wrong password, logging why and never the password', async () => {
    const database = new URL(requiredEnv('MONGODB_URI'));
    database.pathname = `/${uniqueName('refused').replaceAll('-', '_')}`;
    const child = spawn(process.execPath, serviceArguments('orchestrator'), {
      env: {
        ...process.env,
        ...env,
        KAFKA_SASL_PASSWORD: WRONG_PASSWORD,
        MONGODB_URI: database.href,
        WEFT_KAFKA_NAMESPACE: uniqueName('refused'),
        HEALTH_PORT: '0',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const failed = output
      .split('\n')
      .filter((line) => line.includes('"failed to start"'))
      .map((line) => JSON.parse(line) as { error: { message: string } });
    expect(failed).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({
          message: expect.stringMatching(/refused SASL authentication as "weft-test"/) as unknown,
        }) as unknown,
      }),
    ]);
    expect(output).not.toContain(WRONG_PASSWORD);
    expect(output).not.toContain(PASSWORD);
  });

  it.each(KAFKA_IMPLEMENTATIONS)(
    '%s: refuses a client without TLS, without a certificate or the CA, or on a plaintext port',
    async (implementation) => {
      // One retry each: the explanation does not depend on how often the client tried.
      const settings = (changes: Record<string, string | undefined>) => ({
        ...clientConfig(implementation, changes),
        retries: 1,
      });
      const plaintext = await refusal(
        createKafkaClient(
          settings({
            KAFKA_SSL: undefined,
            KAFKA_SSL_CA_FILE: undefined,
            KAFKA_SSL_CERT_FILE: undefined,
            KAFKA_SSL_KEY_FILE: undefined,
          }),
        ).admin(),
      );
      // With SASL the libraries see only the closed connection, and say so conditionally.
      expect(plaintext.code).toBe('closed_unanswered');
      expect(plaintext.message).toMatch(/closed the connection without answering.*KAFKA_SSL=1/);

      const anonymous = await refusal(
        createKafkaClient(
          settings({ KAFKA_SSL_CERT_FILE: undefined, KAFKA_SSL_KEY_FILE: undefined }),
        ).admin(),
      );
      expect(anonymous.code).toBe('client_certificate_refused');
      expect(anonymous.message).toMatch(/wants a client certificate.*KAFKA_SSL_CERT_FILE/);

      const untrusting = await refusal(
        createKafkaClient(settings({ KAFKA_SSL_CA_FILE: undefined })).admin(),
      );
      expect(untrusting.code).toBe('broker_certificate_untrusted');
      expect(untrusting.message).toMatch(/does not trust.*KAFKA_SSL_CA_FILE/);

      const misdirected = await refusal(
        createKafkaClient(settings({ KAFKA_BROKERS: plaintextBroker })).admin(),
      );
      expect(misdirected.code).toBe('tls_unsupported');
      expect(misdirected.message).toMatch(/does not speak TLS on this port/);

      for (const error of [plaintext, anonymous, untrusting, misdirected]) {
        expect(everythingIn(error)).not.toContain(PASSWORD);
      }
    },
  );
});
