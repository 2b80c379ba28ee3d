import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key';

describe('API keys', () => {
  it('have the form weft_<8-char prefix>_<secret> and a SHA-256 hash', () => {
    const key = generateApiKey();
    expect(key.raw).toMatch(/^weft_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.raw.startsWith(`weft_${key.prefix}_`)).toBe(true);
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).toBe(hashApiKey(key.raw));
    expect(key.hash).not.toContain(key.raw.slice(14));
  });

  it('are different every time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().raw));
    expect(keys.size).toBe(100);
  });

  it('are recognized by their shape, even when the secret contains _ or -', () => {
    const key = generateApiKey();
    expect(apiKeyPrefix(key.raw)).toBe(key.prefix);
    expect(apiKeyPrefix(`weft_abcdefgh_${'_-'.repeat(21)}x`)).toBe('abcdefgh');
    for (const bad of ['', 'weft_', key.raw + 'x', key.raw.slice(0, -1), `x${key.raw}`]) {
      expect(apiKeyPrefix(bad)).toBeUndefined();
    }
  });
});
