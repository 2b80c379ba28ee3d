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
      shutdownGraceMs: 10_000,
      rateLimitPerMinute: 600,
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

  it('reads RATE_LIMIT_PER_MINUTE, where 0 turns the limit off', () => {
    expect(readGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: '5' }).rateLimitPerMinute).toBe(5);
    expect(readGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  it.each([
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
