import {
  chosenStepErrorCode,
  NonRetriableStepError,
  stepError,
  StepFailure,
  toStepError,
} from './step-failure';

describe('StepFailure', () => {
  it('takes its retryability from a settled code', () => {
    expect(new StepFailure('provider_timeout', 'slow').retryable).toBe(true);
    expect(new StepFailure('invalid_input', 'bad').retryable).toBe(false);
  });

  it('takes it from the failure for a per-failure code', () => {
    const failure = new StepFailure('webhook_failed', 'refused', { retryable: false });
    expect(failure.retryable).toBe(false);
    expect(new StepFailure('webhook_failed', 'down', { retryable: true }).retryable).toBe(true);
  });

  it('carries a code a workflow chose, retryable as the workflow says', () => {
    const failure = new StepFailure(chosenStepErrorCode('flaky'), 'on purpose', {
      retryable: true,
    });
    expect(failure).toMatchObject({ code: 'flaky', retryable: true });
  });

  it("keeps the workflow's retryability when it chose one of our codes", () => {
    const chosen = (code: string, retryable: boolean) =>
      new StepFailure(chosenStepErrorCode(code), 'on purpose', { retryable });
    expect(chosen('invalid_input', true).retryable).toBe(true);
    expect(chosen('provider_rate_limited', false).retryable).toBe(false);
  });

  it('fails now as a NonRetriableStepError, terminal or per-failure code alike', () => {
    expect(new NonRetriableStepError('provider_bad_response', 'no images')).toMatchObject({
      code: 'provider_bad_response',
      retryable: false,
      name: 'NonRetriableStepError',
    });
    expect(new NonRetriableStepError('invalid_input', 'no', { field: 'x' })).toMatchObject({
      retryable: false,
      details: { field: 'x' },
    });
  });

  it('refuses, when type-checked, a code or a retryability the table does not allow', () => {
    const refused = [
      // @ts-expect-error: not one of our codes
      new StepFailure('provder_timeout', 'typo'),
      // @ts-expect-error: a settled code's retryability is the table's, not the caller's
      new StepFailure('invalid_input', 'bad', { retryable: true }),
      // @ts-expect-error: a per-failure code needs the failure to say
      new StepFailure('webhook_failed', 'which?'),
      // @ts-expect-error: an always-retryable code cannot fail for good
      new NonRetriableStepError('provider_timeout', 'slow'),
    ];
    expect(refused).toHaveLength(4);
  });

  it('keeps its cause, details and the wait a provider asked for', () => {
    const cause = new Error('socket hang up');
    const failure = new StepFailure('provider_rate_limited', 'slow down', {
      cause,
      details: { limit: 1 },
      retryAfterMs: 2_000,
    });
    expect(failure).toMatchObject({ cause, details: { limit: 1 }, retryAfterMs: 2_000 });
    expect(failure).toBeInstanceOf(Error);
  });
});

describe('toStepError', () => {
  it('reports a failure as the wire has it, leaving out what it lacks', () => {
    expect(toStepError(new StepFailure('aborted', 'stop'))).toEqual({
      code: 'aborted',
      message: 'stop',
      retryable: true,
    });
    expect(
      toStepError(
        new StepFailure('webhook_failed', 'later', {
          retryable: true,
          retryAfterMs: 5,
          details: 1,
        }),
      ),
    ).toEqual({
      code: 'webhook_failed',
      message: 'later',
      retryable: true,
      retryAfterMs: 5,
      details: 1,
    });
  });

  it('reports anything else thrown as a retryable step_error', () => {
    expect(toStepError(new Error('disk full'))).toEqual({
      code: 'step_error',
      message: 'disk full',
      retryable: true,
    });
    expect(toStepError('a string')).toEqual({
      code: 'step_error',
      message: 'a string',
      retryable: true,
    });
  });
});

describe('stepError', () => {
  it('builds the wire form with the retryability its code decides', () => {
    expect(stepError('inputs_too_large', 'big')).toEqual({
      code: 'inputs_too_large',
      message: 'big',
      retryable: false,
    });
    expect(stepError('step_timeout', 'late', { after: 1 })).toEqual({
      code: 'step_timeout',
      message: 'late',
      retryable: true,
      details: { after: 1 },
    });
  });
});
