import { ConfigError } from '@weft/config';
import { readGatewayConfig } from './config';

const base = { KAFKA_BROKERS: 'a:9092, b:9092', MONGODB_URI: 'mongodb://db/weft' };

describe('readGatewayConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = readGatewayConfig(base);
    expect(config).toEqual({
      kafkaBrokers: ['a:9092', 'b:9092'],
      mongoUri: 'mongodb://db/weft',
      logLevel: 'info',
      port: 8080,
      bodyLimitBytes: 1024 * 1024,
      artifactLimitBytes: 100 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      rateLimitPerMinute: 600,
      authFailuresPerMinute: 30,
      maxKeysPerApp: 50,
      maxStreamsPerKey: 100,
      maxStreamsPerApp: 1000,
      topicPartitions: { steps: 8, results: 8 },
      healthPort: 9090,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads PORT, PUBLIC_URL and BODY_LIMIT_BYTES', () => {
    const config = readGatewayConfig({
      ...base,
      PORT: '0',
      PUBLIC_URL: 'https://api.example.com/weft/',
      BODY_LIMIT_BYTES: '2048',
    });
    expect(config).toMatchObject({
      port: 0,
      publicUrl: 'https://api.example.com/weft',
      bodyLimitBytes: 2048,
    });
  });

  it('reads ARTIFACT_LIMIT_BYTES, up to what one S3 PUT may hold', () => {
    expect(readGatewayConfig({ ...base, ARTIFACT_LIMIT_BYTES: '1024' }).artifactLimitBytes).toBe(
      1024,
    );
    expect(() => readGatewayConfig({ ...base, ARTIFACT_LIMIT_BYTES: '0' })).toThrow(ConfigError);
    expect(() =>
      readGatewayConfig({ ...base, ARTIFACT_LIMIT_BYTES: String(6 * 1024 ** 3) }),
    ).toThrow(/ARTIFACT_LIMIT_BYTES must be an integer from 1 to 5368709120/);
  });

  it('reads RATE_LIMIT_PER_MINUTE, where 0 turns the limit off', () => {
    expect(readGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: '5' }).rateLimitPerMinute).toBe(5);
    expect(readGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  it('reads the abuse limits, TRUST_PROXY and METRICS_TOKEN', () => {
    const config = readGatewayConfig({
      ...base,
      AUTH_FAILURES_PER_MINUTE: '0',
      MAX_KEYS_PER_APP: '3',
      MAX_STREAMS_PER_KEY: '7',
      MAX_STREAMS_PER_APP: '70',
      TRUST_PROXY: ' 2 ',
      METRICS_TOKEN: ' s3cret ',
    });
    expect(config).toMatchObject({
      authFailuresPerMinute: 0,
      maxKeysPerApp: 3,
      maxStreamsPerKey: 7,
      maxStreamsPerApp: 70,
      trustProxy: 2,
      metricsToken: 's3cret',
    });
    expect(readGatewayConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
  });

  it.each([
    [{ MAX_KEYS_PER_APP: '0' }, /MAX_KEYS_PER_APP must be an integer from 1/],
    [{ MAX_STREAMS_PER_KEY: 'many' }, /MAX_STREAMS_PER_KEY must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ PORT: 'http' }, /PORT must be an integer/],
    [{ PUBLIC_URL: 'api.example.com' }, /PUBLIC_URL must be an absolute/],
    [{ PUBLIC_URL: 'ftp://api.example.com' }, /PUBLIC_URL must be an http/],
    [{ PUBLIC_URL: 'https://api.example.com/?x=1' }, /without query/],
    [{ BODY_LIMIT_BYTES: '10' }, /BODY_LIMIT_BYTES/],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, /RATE_LIMIT_PER_MINUTE must be an integer/],
    [{ RATE_LIMIT_PER_MINUTE: '1.5' }, /RATE_LIMIT_PER_MINUTE must be an integer/],
    [{ KAFKA_BROKERS: '' }, /KAFKA_BROKERS is required/],
  ])('refuses %p', (env, message) => {
    expect(() => readGatewayConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => readGatewayConfig({ ...base, ...env })).toThrow(message);
  });
});
