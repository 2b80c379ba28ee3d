import { StepFailure, toStepError } from '@weft/core';
import { ProviderError } from './provider-error';

describe('ProviderError', () => {
  it('is a step failure, reported with its code, retryability, wait and details', () => {
    const error = new ProviderError('provider_rate_limited', 'openai rate-limited the request', {
      status: 429,
      retryAfterMs: 3_000,
      details: { error: { code: 'rate_limit_exceeded' } },
    });
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({ name: 'ProviderError', extra: { status: 429 } });
    expect(toStepError(error)).toEqual({
      code: 'provider_rate_limited',
      message: 'openai rate-limited the request',
      retryable: true,
      retryAfterMs: 3_000,
      details: { error: { code: 'rate_limit_exceeded' } },
    });
  });

  it('says whether a bad response is worth another attempt', () => {
    const body = new ProviderError('provider_bad_response', 'no choices', { retryable: true });
    const redirect = new ProviderError('provider_bad_response', '302', { retryable: false });
    expect([body.retryable, redirect.retryable]).toEqual([true, false]);
  });
});
