import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  isWebhookSecret,
  newWebhookId,
  signWebhook,
  WebhookSigningError,
} from './webhook-signature';

const body = JSON.stringify({ type: 'run.completed', data: { runId: 'run_1', output: 'ünïcode' } });
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function sign(secrets: string[], timestamp = nowSeconds()) {
  return signWebhook({ secrets, id: newWebhookId(), timestamp, body });
}

describe('generateWebhookSecret', () => {
  it('is whsec_ and 24 random bytes of base64', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(isWebhookSecret(secret)).toBe(true);
  });
});

describe('newWebhookId', () => {
  it('is msg_ and url-safe random text', () => {
    const id = newWebhookId();
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(newWebhookId()).not.toBe(id);
  });
});

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference example', () => {
    const headers = signWebhook({
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies with the standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    expect(new Webhook(secret).verify(body, { ...sign([secret]) })).toEqual(JSON.parse(body));
  });

  it('is rejected when the body is tampered with', () => {
    const secret = generateWebhookSecret();
    const headers = { ...sign([secret]) };
    expect(() => new Webhook(secret).verify(body.replace('run_1', 'run_2'), headers)).toThrow(
      'No matching signature found',
    );
  });

  it('is rejected by a receiver holding another secret', () => {
    const headers = { ...sign([generateWebhookSecret()]) };
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
      'No matching signature found',
    );
  });

  it('is rejected when the timestamp is more than five minutes old', () => {
    const secret = generateWebhookSecret();
    const headers = { ...sign([secret], nowSeconds() - 5 * 60 - 10) };
    expect(() => new Webhook(secret).verify(body, headers)).toThrow('Message timestamp too old');
  });

  it('verifies for a receiver holding either secret during a rotation', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const headers = { ...sign([newSecret, oldSecret]) };
    expect(headers['webhook-signature'].split(' ')).toEqual([
      expect.stringMatching(/^v1,/),
      expect.stringMatching(/^v1,/),
    ]);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['an empty key', 'whsec_'],
    ['characters outside base64', 'whsec_MfKQ9r8GKYqrTwjUPD8I!PZIo2LaLaSw'],
    ['url-safe base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_'],
    ['broken padding', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
  ])('refuses a secret with %s, without echoing it', (_why, secret) => {
    expect(isWebhookSecret(secret)).toBe(false);
    const thrown = thrownBy(() => sign([generateWebhookSecret(), secret]));
    expect(thrown).toBeInstanceOf(WebhookSigningError);
    expect(thrown).toMatchObject({ code: 'invalid_secret' });
    const message = (thrown as Error).message;
    expect(message).toMatch(/secret #2 is malformed/);
    expect(message).not.toContain('MfKQ9r8GKYqr');
  });

  it('refuses an empty secret list, a bad id and a bad timestamp', () => {
    const secret = generateWebhookSecret();
    expect(
      thrownBy(() => signWebhook({ secrets: [], id: 'msg_1', timestamp: 1, body })),
    ).toMatchObject({ code: 'invalid_secret' });
    for (const id of ['', 'msg 1', 'msg_\n1']) {
      expect(
        thrownBy(() => signWebhook({ secrets: [secret], id, timestamp: 1, body })),
      ).toMatchObject({ code: 'invalid_message' });
    }
    for (const timestamp of [1.5, -1, Number.NaN, Date.now() * 1e6]) {
      expect(
        thrownBy(() => signWebhook({ secrets: [secret], id: 'msg_1', timestamp, body })),
      ).toMatchObject({ code: 'invalid_message' });
    }
  });
});
