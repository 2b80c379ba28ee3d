import { envelope, isStepResult, parseEnvelope, type Envelope } from './envelope';

const base = { id: 'm1', runId: 'run_1', nodeId: 'a', attempt: 1, createdAt: 0 };
const times = { workerId: 'w1', startedAt: 10, finishedAt: 20 };

/** What a consumer reads of each message: `type` alone narrows `payload`, with no cast. */
function summary(message: Envelope): string {
  switch (message.type) {
    case 'step.execute':
      return `execute ${message.payload.task}`;
    case 'step.claim':
      return `claimed by ${message.payload.holder}`;
    case 'step.heartbeat':
    case 'step.released':
    case 'step.lease-check':
      return `${message.type} of ${message.payload.holder}`;
    case 'step.lease':
      return `${message.payload.decision} to ${message.payload.holder}`;
    case 'step.succeeded':
      return `succeeded at ${message.payload.finishedAt}`;
    case 'step.failed':
      return `failed with ${message.payload.error.code}`;
    case 'run.completed':
    case 'run.failed':
    case 'run.cancelled':
    case 'run.timed_out':
      return `run ${message.payload.status}`;
  }
}

function parsed(message: unknown): Envelope {
  const result = parseEnvelope(JSON.stringify(message));
  if (!result.ok) throw new Error(result.problem.message);
  return result.envelope;
}

describe('envelope', () => {
  it('narrows the payload by type', () => {
    const execute = envelope({
      ...base,
      type: 'step.execute',
      payload: { appId: 'app', task: 'core/transform', inputs: {}, idempotencyKey: 'k' },
    });
    expect(summary(parsed(execute))).toBe('execute core/transform');
    const failed = envelope({
      ...base,
      type: 'step.failed',
      payload: { ...times, error: { code: 'boom', message: 'x', retryable: true } },
    });
    expect(summary(parsed(failed))).toBe('failed with boom');
  });

  it('narrows step results by isStepResult', () => {
    const message = parsed(
      envelope({ ...base, type: 'step.succeeded', payload: { ...times, result: 1 } }),
    );
    expect(isStepResult(message)).toBe(true);
    if (!isStepResult(message)) return;
    const types: (
      | 'step.claim'
      | 'step.heartbeat'
      | 'step.released'
      | 'step.lease-check'
      | 'step.succeeded'
      | 'step.failed'
    )[] = [message.type];
    expect(types).toEqual(['step.succeeded']);
    const event = envelope({
      id: 'e1',
      runId: 'run_1',
      createdAt: 0,
      type: 'run.completed',
      payload: { appId: 'app', status: 'completed', createdAt: 0 },
    });
    expect(isStepResult(parsed(event))).toBe(false);
    const lease = envelope({
      ...base,
      type: 'step.lease',
      payload: { holder: 'w1:h', decision: 'granted' },
    });
    expect(isStepResult(parsed(lease))).toBe(false);
  });

  it('refuses a lease answer it does not know, and a claim without its lease', () => {
    const lease = envelope({
      ...base,
      type: 'step.lease',
      payload: { holder: 'w1:h', decision: 'granted' },
    });
    expect(summary(parsed(lease))).toBe('granted to w1:h');
    const odd = { ...lease, payload: { holder: 'w1:h', decision: 'maybe' } };
    expect(parseEnvelope(JSON.stringify(odd))).toMatchObject({ ok: false });
    const claim = envelope({
      ...base,
      type: 'step.claim',
      payload: { workerId: 'w1', holder: 'w1:h', startedAt: 10, leaseMs: 20_000 },
    });
    expect(summary(parsed(claim))).toBe('claimed by w1:h');
    const { leaseMs: _lease, ...withoutLease } = claim.payload;
    expect(parseEnvelope(JSON.stringify({ ...claim, payload: withoutLease }))).toMatchObject({
      ok: false,
    });
  });

  it('writes the same fields on the wire as before', () => {
    const message = envelope({
      ...base,
      type: 'step.heartbeat',
      traceparent: '00-t-s-01',
      payload: { holder: 'w1:h' },
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual({
      v: 1,
      id: 'm1',
      type: 'step.heartbeat',
      runId: 'run_1',
      nodeId: 'a',
      attempt: 1,
      createdAt: '1970-01-01T00:00:00.000Z',
      traceparent: '00-t-s-01',
      payload: { holder: 'w1:h' },
    });
  });

  it('accepts a failure with a code this engine does not know, as older workers send', () => {
    const result = parseEnvelope(
      JSON.stringify(
        envelope({
          ...base,
          type: 'step.failed',
          payload: {
            ...times,
            error: { code: 'legacy_gpu_oom', message: 'out of memory', retryable: false },
          },
        }),
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      envelope: { payload: { error: { code: 'legacy_gpu_oom', retryable: false } } },
    });
  });
});
