import { MAX_MESSAGE_BYTES, parseEnvelope, stepError } from '@weft/core';
import { endedReport } from './step-reports';

const header = { runId: 'run-1', nodeId: 'n1', attempt: 2, traceparent: '00-abc-def-01' };
const times = { workerId: 'w1', startedAt: 1_000, finishedAt: 4_000 };

describe('step reports', () => {
  it('reports a result, or a failure, with its times, as the JSON it gives', () => {
    const succeeded = endedReport(header, times, { ok: true, result: { text: 'hi' } });
    expect(succeeded.report).toMatchObject({
      ...header,
      type: 'step.succeeded',
      createdAt: new Date(4_000).toISOString(),
      payload: { ...times, result: { text: 'hi' } },
    });
    expect(JSON.parse(succeeded.value)).toEqual(succeeded.report);
    expect(parseEnvelope(succeeded.value).ok).toBe(true);

    const error = stepError('provider_unavailable', 'the provider answered 503');
    const failed = endedReport(header, times, { ok: false, error });
    expect(failed.report).toMatchObject({ type: 'step.failed', payload: { ...times, error } });
    expect(parseEnvelope(failed.value).ok).toBe(true);
  });

  it('fails the attempt with output_too_large when its report would exceed a message', () => {
    const result = { text: 'x'.repeat(MAX_MESSAGE_BYTES) };
    const { report, value } = endedReport(header, times, { ok: true, result });
    expect(report.type).toBe('step.failed');
    if (report.type !== 'step.failed') return;
    expect(report.payload.error).toMatchObject({ code: 'output_too_large', retryable: false });
    expect(report.payload.error.message).toMatch(/a message may have 1000000/);
    expect(report).toMatchObject({ ...header, payload: times });
    expect(Buffer.byteLength(value)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(JSON.parse(value)).toEqual(report);
  });
});
