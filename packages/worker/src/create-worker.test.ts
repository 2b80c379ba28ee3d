import { ConfigError } from '@weft/config';
import { createWorker, workerSettingsFromEnv } from './create-worker';
import { RUNTIME_DEFAULTS } from './runtime-options';

describe('workerSettingsFromEnv', () => {
  it('reads Kafka, the runtime and the gateway from the variables the services read', () => {
    const settings = workerSettingsFromEnv({
      KAFKA_BROKERS: ' a:9092, b:9092 ',
      WEFT_KAFKA_NAMESPACE: 'staging',
      WORKER_CONCURRENCY: '8',
      WORKER_ID: 'acme-1',
      WORKER_LEASE_MS: '30000',
      REGION: 'eu',
      HEALTH_PORT: '9191',
      WEFT_GATEWAY_URL: 'https://weft.example',
      WEFT_API_KEY: 'weft_key',
    });
    expect(settings).toMatchObject({
      brokers: ['a:9092', 'b:9092'],
      kafka: { namespace: 'staging' },
      concurrency: 8,
      workerId: 'acme-1',
      leaseMs: 30_000,
      region: 'eu',
      healthPort: 9191,
      gatewayUrl: 'https://weft.example',
      apiKey: 'weft_key',
      commitIntervalMs: RUNTIME_DEFAULTS.commitIntervalMs,
    });
    expect(settings).not.toHaveProperty('adminToken');
  });

  it('refuses what the services refuse, naming the variable, and needs no MONGODB_URI', () => {
    expect(() => workerSettingsFromEnv({})).toThrow(/KAFKA_BROKERS/);
    expect(() => workerSettingsFromEnv({ KAFKA_BROKERS: 'a:9092', REGION: 'mars' })).toThrow(
      ConfigError,
    );
    expect(() => workerSettingsFromEnv({ KAFKA_BROKERS: 'a:9092', WORKER_LEASE_MS: '5' })).toThrow(
      /WORKER_LEASE_MS/,
    );
    expect(workerSettingsFromEnv({ KAFKA_BROKERS: 'a:9092' })).not.toHaveProperty('healthPort');
  });
});

describe('createWorker', () => {
  it('refuses two task types of one name', () => {
    const type = { name: 'acme/x' } as Parameters<typeof createWorker>[0]['taskTypes'][number];
    expect(() => createWorker({ brokers: 'a:9092', taskTypes: [type, type] })).toThrow(/same name/);
  });
});
