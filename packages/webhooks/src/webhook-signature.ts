import { createHmac, randomBytes } from 'node:crypto';

/** The prefix Standard Webhooks puts before a base64 secret, so a secret is recognisable in config. */
const SECRET_PREFIX = 'whsec_';

/** Canonical, padded base64 as the spec's reference libraries decode it (no url-safe alphabet). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Header-safe and unambiguous in the signed content: visible ASCII, no spaces. */
const MESSAGE_ID = /^[\x21-\x7e]+$/;

/** Why a webhook could not be signed. Messages never contain a secret. */
export type WebhookSigningErrorCode = 'invalid_secret' | 'invalid_message';

/** A secret or message that cannot be signed; a configuration or caller error, never retryable. */
export class WebhookSigningError extends Error {
  override name = 'WebhookSigningError';

  constructor(
    readonly code: WebhookSigningErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The three headers a Standard Webhooks receiver verifies. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** What `signWebhook` signs. */
export interface SignWebhookInput {
  /** `whsec_…` secrets; during a rotation pass the new and the old so either receiver verifies. */
  secrets: readonly string[];
  /** The message id (`webhook-id`); the same id on every retry of one message. */
  id: string;
  /** Unix seconds when this attempt is sent; receivers reject ones more than 5 minutes off. */
  timestamp: number;
  /** The exact body sent, byte for byte; any re-serialisation breaks the signature. */
  body: string;
}

/** A new signing secret: `whsec_` and 24 random bytes in base64, the size the spec recommends. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** A new message id: `msg_` and 128 random bits, url-safe. */
export function newWebhookId(): string {
  return 'msg_' + randomBytes(16).toString('base64url');
}

/** Whether `secret` is a well-formed `whsec_` secret; for validating config before first use. */
export function isWebhookSecret(secret: string): boolean {
  return secretKey(secret) !== undefined;
}

/**
 * The Standard Webhooks headers for one delivery attempt: `v1,<base64 HMAC-SHA256>` of
 * `id.timestamp.body` per secret, space-separated. Throws `WebhookSigningError` for a malformed
 * secret, id or timestamp.
 */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  if (input.secrets.length === 0) {
    throw new WebhookSigningError(
      'invalid_secret',
      'At least one webhook secret is needed to sign',
    );
  }
  if (!MESSAGE_ID.test(input.id)) {
    throw new WebhookSigningError(
      'invalid_message',
      'The webhook id must be non-empty visible ASCII without spaces',
    );
  }
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new WebhookSigningError(
      'invalid_message',
      `The webhook timestamp must be whole unix seconds, got ${String(input.timestamp)}`,
    );
  }
  const keys = input.secrets.map((secret, index) => {
    const key = secretKey(secret);
    if (key === undefined) {
      // Position, not value: the message may end up in logs.
      throw new WebhookSigningError(
        'invalid_secret',
        `Webhook secret #${index + 1} is malformed: expected "whsec_" followed by non-empty standard base64`,
      );
    }
    return key;
  });
  const signed = `${input.id}.${input.timestamp}.${input.body}`;
  const signatures = keys.map(
    (key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Buffer.from skips characters it does not know, so a typo would silently become another key.
  if (encoded === '' || !BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64');
}
