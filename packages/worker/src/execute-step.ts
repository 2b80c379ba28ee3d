import {
  MAX_STEP_PAYLOAD_BYTES,
  stepError,
  StepFailure,
  toStepError,
  type SettledStepErrorCode,
  type StepError,
} from '@weft/core';
import type { TaskContext, TaskType } from './task-type';

/**
 * The largest result a step may return, as JSON: its report must fit in one Kafka message. Bigger
 * outputs belong in artifacts.
 */
export const MAX_STEP_OUTPUT_BYTES = MAX_STEP_PAYLOAD_BYTES;

export type StepOutcome = { ok: true; result: unknown } | { ok: false; error: StepError };

/** The task types a worker serves, by name. */
export type TaskTypes = ReadonlyMap<string, TaskType>;

/** What executeStep passes a handler, less the signal it makes, plus the attempt's deadline. */
export type ExecuteContext = Omit<TaskContext, 'signal'> & {
  signal?: AbortSignal;
  timeoutMs?: number;
};

/**
 * Runs one attempt: checks the inputs against the task's schema, runs its handler until it settles
 * or `timeoutMs` passes or `signal` aborts, and checks the output's size and schema. Never throws.
 */
export async function executeStep(
  taskTypes: TaskTypes,
  task: string,
  inputs: Record<string, unknown>,
  context: ExecuteContext,
): Promise<StepOutcome> {
  const type = taskTypes.get(task);
  if (!type) return fail('unknown_task', `this worker has no handler for task type "${task}"`);
  const badInput = type.validate.input(inputs);
  if (badInput !== undefined) {
    return fail('invalid_input', `inputs do not fit ${task}: ${badInput}`);
  }

  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  const onOuterAbort = () => {
    const reason: unknown = context.signal?.reason;
    abort(
      reason instanceof StepFailure
        ? reason
        : new StepFailure('aborted', 'the attempt was aborted'),
    );
  };
  if (context.signal?.aborted) {
    // Aborted before it began (its run ended while it waited for a slot): the handler never
    // starts, so no side effect happens for a run that no longer wants it.
    onOuterAbort();
    return { ok: false, error: toStepError(controller.signal.reason) };
  }
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    context.timeoutMs !== undefined
      ? setTimeout(
          () =>
            abort(new StepFailure('step_timeout', `the step exceeded its ${context.timeoutMs} ms`)),
          context.timeoutMs,
        )
      : undefined;
  const quiet = heartbeatWatch(type, abort);
  const { timeoutMs: _timeout, ...handed } = context;
  try {
    const result = await Promise.race([
      type.handler(inputs as never, {
        ...handed,
        signal: controller.signal,
        heartbeat: () => {
          quiet?.beat();
          context.heartbeat();
        },
      }),
      new Promise<never>((_, reject) => {
        const onAbort = () => {
          const reason: unknown = controller.signal.reason;
          reject(reason instanceof Error ? reason : new StepFailure('aborted', 'aborted'));
        };
        if (controller.signal.aborted) onAbort();
        else controller.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    const json = JSON.stringify(result ?? null);
    if (Buffer.byteLength(json) > MAX_STEP_OUTPUT_BYTES) {
      return fail(
        'output_too_large',
        `the output is ${Buffer.byteLength(json)} bytes; the limit is ${MAX_STEP_OUTPUT_BYTES}`,
      );
    }
    const parsed = JSON.parse(json) as unknown;
    const badOutput = type.validate.output(parsed);
    if (badOutput !== undefined) {
      return fail('invalid_output', `the output does not fit ${task}: ${badOutput}`);
    }
    return { ok: true, result: parsed };
  } catch (thrown) {
    return { ok: false, error: toStepError(thrown) };
  } finally {
    if (timer) clearTimeout(timer);
    quiet?.stop();
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * For a task type with a `heartbeatTimeout`: aborts the attempt when its handler goes that long
 * without `heartbeat()`.
 */
function heartbeatWatch(
  type: TaskType,
  abort: (reason: StepFailure) => void,
): { beat(): void; stop(): void } | undefined {
  if (type.heartbeatTimeout === undefined) return undefined;
  const ms = Math.round(type.heartbeatTimeout * 1000);
  const expire = () =>
    abort(new StepFailure('step_timeout', `the handler sent no heartbeat for ${ms} ms`));
  let timer = setTimeout(expire, ms);
  return {
    beat() {
      clearTimeout(timer);
      timer = setTimeout(expire, ms);
    },
    stop: () => clearTimeout(timer),
  };
}

function fail(code: SettledStepErrorCode, message: string): StepOutcome {
  return { ok: false, error: stepError(code, message) };
}
