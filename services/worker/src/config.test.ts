import { ConfigError } from '@weft/config';
import { readWorkerConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', MONGODB_URI: 'mongodb://127.0.0.1/weft' };
const handled = ['image_generate', 'core/delay'];

describe('readWorkerConfig', () => {
  it('serves every handled type by default, with artifact URLs on localhost:8080', () => {
    const config = readWorkerConfig(handled, base);
    expect(config.stepTypes).toEqual(handled);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.region).toBe('global');
  });

  it('takes PUBLIC_URL without its trailing slash, and refuses one that is not http(s)', () => {
    expect(
      readWorkerConfig(handled, { ...base, PUBLIC_URL: 'https://api.example/' }).publicUrl,
    ).toBe('https://api.example');
    expect(() => readWorkerConfig(handled, { ...base, PUBLIC_URL: 'ftp://x' })).toThrow(
      ConfigError,
    );
  });

  it('refuses step types it does not know or has no handler for', () => {
    expect(() => readWorkerConfig(handled, { ...base, STEP_TYPES: 'nope' })).toThrow(
      /unknown task type "nope"/,
    );
    expect(() => readWorkerConfig(handled, { ...base, STEP_TYPES: 'enrich_text' })).toThrow(
      /no handler/,
    );
    expect(readWorkerConfig(handled, { ...base, STEP_TYPES: ' core/delay ' }).stepTypes).toEqual([
      'core/delay',
    ]);
  });

  it('reads STEP_SECRETS, and refuses a malformed one without echoing its values', () => {
    const secrets = JSON.stringify({
      ACME_TOKEN: { value: 'Bearer hush', origins: ['https://api.acme.com'] },
    });
    const config = readWorkerConfig(handled, { ...base, STEP_SECRETS: secrets });
    expect(config.stepSecrets.names).toEqual(['ACME_TOKEN']);
    expect(readWorkerConfig(handled, base).stepSecrets.names).toEqual([]);
    const malformed = JSON.stringify({ ACME_TOKEN: { value: 'Bearer hush' } });
    expect(() => readWorkerConfig(handled, { ...base, STEP_SECRETS: malformed })).toThrow(
      ConfigError,
    );
    expect(() => readWorkerConfig(handled, { ...base, STEP_SECRETS: malformed })).not.toThrow(
      /hush/,
    );
  });
});
