import { StepFailure } from '@weft/core';
import { executeStep, testTaskContext, type StepHandler } from '@weft/worker';
import { builtInTaskTypes } from './built-in-task-types';
import { CORE_STEP_HANDLERS as HANDLERS } from './core-steps';

const CORE_STEP_HANDLERS = builtInTaskTypes(HANDLERS, Object.keys(HANDLERS));
const context = testTaskContext({ runId: 'r', nodeId: 'n', appId: 'a' });

describe('the core steps, as a worker executes them', () => {
  it('returns a transform value and a delay that waited', async () => {
    expect(
      await executeStep(CORE_STEP_HANDLERS, 'core/transform', { value: { a: [1] } }, context),
    ).toEqual({
      ok: true,
      result: { a: [1] },
    });
    const delayed = await executeStep(CORE_STEP_HANDLERS, 'core/delay', { ms: 20 }, context);
    expect(
      delayed.ok && (delayed.result as { waited_ms: number }).waited_ms,
    ).toBeGreaterThanOrEqual(19);
  });

  it('refuses inputs that do not fit the schema, not retryably', async () => {
    expect(
      await executeStep(CORE_STEP_HANDLERS, 'core/delay', { ms: 'soon' }, context),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', retryable: false },
    });
  });

  it('refuses a task it has no handler for', async () => {
    expect(
      await executeStep(CORE_STEP_HANDLERS, 'image_generate', { prompt: 'x' }, context),
    ).toMatchObject({
      ok: false,
      error: { code: 'unknown_task', retryable: false },
    });
  });

  it("fails core/fail with one of the engine's codes as told, not as the code would be", async () => {
    const fail = (inputs: Record<string, unknown>) =>
      executeStep(CORE_STEP_HANDLERS, 'core/fail', inputs, context);
    expect(await fail({ code: 'invalid_input' })).toMatchObject({
      error: { code: 'invalid_input', retryable: true },
    });
    expect(await fail({ code: 'provider_rate_limited', retryable: false })).toMatchObject({
      error: { code: 'provider_rate_limited', retryable: false },
    });
  });

  it('fails core/fail as told: retryably, not, or only its first attempts', async () => {
    expect(
      await executeStep(CORE_STEP_HANDLERS, 'core/fail', { code: 'flaky' }, context),
    ).toMatchObject({
      ok: false,
      error: { code: 'flaky', retryable: true },
    });
    expect(
      await executeStep(
        CORE_STEP_HANDLERS,
        'core/fail',
        { code: 'bad', retryable: false },
        context,
      ),
    ).toMatchObject({ ok: false, error: { code: 'bad', retryable: false } });
    expect(
      await executeStep(
        CORE_STEP_HANDLERS,
        'core/fail',
        { code: 'x', fail_attempts: 2 },
        { ...context, attempt: 3 },
      ),
    ).toEqual({ ok: true, result: { attempt: 3 } });
  });

  it('aborts a delay at its timeout, and when the caller aborts', async () => {
    const started = Date.now();
    expect(
      await executeStep(
        CORE_STEP_HANDLERS,
        'core/delay',
        { ms: 60_000 },
        { ...context, timeoutMs: 50 },
      ),
    ).toMatchObject({ ok: false, error: { code: 'step_timeout', retryable: true } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    expect(
      await executeStep(
        CORE_STEP_HANDLERS,
        'core/delay',
        { ms: 60_000 },
        { ...context, signal: controller.signal },
      ),
    ).toMatchObject({ ok: false, error: { code: 'aborted' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an output over the size limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    expect(
      await executeStep(CORE_STEP_HANDLERS, 'core/transform', { value: big }, context),
    ).toMatchObject({
      ok: false,
      error: { code: 'output_too_large', retryable: false },
    });
  });

  it('never starts a handler whose attempt was aborted before it began', async () => {
    let started = 0;
    const transform: StepHandler = async () => {
      started += 1;
      return Promise.resolve('done');
    };
    const handlers = builtInTaskTypes({ 'core/transform': transform }, ['core/transform']);
    const ended = new AbortController();
    ended.abort(new StepFailure('run_ended', 'the run ended (run.cancelled)'));
    const outcome = await executeStep(
      handlers,
      'core/transform',
      { value: 1 },
      { ...context, signal: ended.signal },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'run_ended', retryable: false } });
    expect(started).toBe(0);
  });
});
