import { chosenStepErrorCode, StepFailure } from '@weft/core';
import type { StepHandler } from '@weft/worker';

/** Waits `ms`, and stops waiting as soon as the attempt is aborted (cancel, timeout, shutdown). */
const delay: StepHandler = async (inputs, { signal }) => {
  const ms = inputs.ms as number;
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { waited_ms: Date.now() - started };
};

function abortError(signal: AbortSignal): StepFailure {
  const reason = signal.reason instanceof StepFailure ? signal.reason : undefined;
  return reason ?? new StepFailure('aborted', 'the attempt was aborted');
}

/** Returns its `value`, references already resolved: pure data mapping, no code. */
const transform: StepHandler = async (inputs) => inputs.value;

/**
 * Fails with the given code, for exercising error paths: always, or only its first
 * `fail_attempts` attempts.
 */
const fail: StepHandler = async (inputs, { attempt }) => {
  const failAttempts = inputs.fail_attempts as number | undefined;
  if (failAttempts !== undefined && attempt > failAttempts) return { attempt };
  const code = inputs.code as string;
  const message = (inputs.message as string | undefined) ?? `core/fail failed with ${code}`;
  throw new StepFailure(chosenStepErrorCode(code), message, {
    retryable: inputs.retryable !== false,
  });
};

/** The engine's utility steps, by task type. */
export const CORE_STEP_HANDLERS: Readonly<Record<string, StepHandler>> = Object.freeze({
  'core/delay': delay,
  'core/transform': transform,
  'core/fail': fail,
});
