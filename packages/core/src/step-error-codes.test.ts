import {
  hasStepErrorCode,
  isRetryableCode,
  isSettledCode,
  isStepErrorCode,
  STEP_ERROR_CODES,
  STEP_ERROR_RETRY,
} from './step-error-codes';

describe('step error codes', () => {
  it('decides the retryability of every code, and of nothing else', () => {
    expect(Object.keys(STEP_ERROR_RETRY).sort()).toEqual([...STEP_ERROR_CODES].sort());
    for (const code of STEP_ERROR_CODES) {
      expect(['retryable', 'terminal', 'per_failure']).toContain(STEP_ERROR_RETRY[code]);
    }
  });

  it('lists each code once', () => {
    expect(new Set(STEP_ERROR_CODES).size).toBe(STEP_ERROR_CODES.length);
  });

  it('keeps the retryability each code was thrown with before it was written down', () => {
    expect(isRetryableCode('provider_rate_limited')).toBe(true);
    expect(isRetryableCode('step_timeout')).toBe(true);
    expect(isRetryableCode('step_error')).toBe(true);
    expect(isRetryableCode('media_timeout')).toBe(true);
    expect(isRetryableCode('invalid_input')).toBe(false);
    expect(isRetryableCode('provider_auth_failed')).toBe(false);
    expect(isRetryableCode('media_too_large')).toBe(false);
    expect(isRetryableCode('run_ended')).toBe(false);
    expect(isSettledCode('provider_bad_response')).toBe(false);
    expect(isSettledCode('webhook_failed')).toBe(false);
    expect(isSettledCode('media_http_status')).toBe(false);
  });

  it('tells our codes from any other string a run or an older worker may hold', () => {
    expect(isStepErrorCode('provider_rate_limited')).toBe(true);
    expect(isStepErrorCode('flaky')).toBe(false);
    expect(isStepErrorCode('')).toBe(false);
    expect(isStepErrorCode('constructor')).toBe(false);
  });

  it('matches a recorded error by code, whatever string the record holds', () => {
    expect(hasStepErrorCode({ code: 'provider_rate_limited' }, 'provider_rate_limited')).toBe(true);
    expect(hasStepErrorCode({ code: 'an_old_workers_code' }, 'provider_rate_limited')).toBe(false);
    expect(hasStepErrorCode(undefined, 'provider_rate_limited')).toBe(false);
  });
});
