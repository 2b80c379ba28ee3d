import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Every API key starts with this, so a leaked key is easy to recognize (and to scan for). */
export const API_KEY_MARK = 'weft_';

/** Length of the visible part of a key, shown in listings so a user can tell keys apart. */
export const API_KEY_PREFIX_LENGTH = 8;

/** Random bytes in the secret part: 32 bytes is 256 bits, 43 base64url characters. */
const SECRET_BYTES = 32;

const PREFIX_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(
  `^${API_KEY_MARK}([0-9a-z]{${API_KEY_PREFIX_LENGTH}})_([A-Za-z0-9_-]{43})$`,
);

/** A freshly generated key: `raw` is shown to the user once; only `prefix` and `hash` are kept. */
export interface GeneratedApiKey {
  raw: string;
  prefix: string;
  hash: string;
}

/** A new random key `weft_<8-char prefix>_<43-char secret>`. */
export function generateApiKey(): GeneratedApiKey {
  let prefix = '';
  for (let i = 0; i < API_KEY_PREFIX_LENGTH; i++) prefix += PREFIX_ALPHABET[randomInt(36)];
  const raw = `${API_KEY_MARK}${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { raw, prefix, hash: hashApiKey(raw) };
}

/** The stored form of a key: its SHA-256, hex. The key has 256 random bits, so no salt is needed. */
export function hashApiKey(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/** The visible prefix of a well-formed key, or undefined when `raw` cannot be a Weft key. */
export function apiKeyPrefix(raw: string): string | undefined {
  return KEY_PATTERN.exec(raw)?.[1];
}
