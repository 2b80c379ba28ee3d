import {
  compileSchema,
  describeSchemaErrors,
  getTaskType,
  MAX_STEP_PAYLOAD_BYTES,
  stepError,
  StepFailure,
  toStepError,
  type SettledStepErrorCode,
  type StepError,
} from '@weft/core';

type ValidateFunction = ReturnType<typeof compileSchema>;
import type { StepContext, StepHandler } from './step-handler';

/**
 * The largest result a step may return, as JSON: its report must fit in one Kafka message. Bigger
 * outputs belong in artifacts.
 */
export const MAX_STEP_OUTPUT_BYTES = MAX_STEP_PAYLOAD_BYTES;

const validators = new Map<string, { input: ValidateFunction; output: ValidateFunction }>();

function validatorsFor(
  task: string,
): { input: ValidateFunction; output: ValidateFunction } | undefined {
  const cached = validators.get(task);
  if (cached) return cached;
  const type = getTaskType(task);
  if (!type) return undefined;
  const compiled = {
    input: compileSchema(type.inputSchema),
    output: compileSchema(type.outputSchema),
  };
  validators.set(task, compiled);
  return compiled;
}

function firstError(validate: ValidateFunction): string {
  const [problem] = describeSchemaErrors(validate.errors ?? []);
  return problem ? `${problem.path || '/'} ${problem.message}` : 'is invalid';
}

export type StepOutcome = { ok: true; result: unknown } | { ok: false; error: StepError };

/**
 * Runs one attempt: checks the inputs against the task's schema, runs its handler until it settles
 * or `timeoutMs` passes or `signal` aborts, and checks the output's size and schema. Never throws.
 */
export async function executeStep(
  handlers: Readonly<Record<string, StepHandler>>,
  task: string,
  inputs: Record<string, unknown>,
  context: Omit<StepContext, 'signal'> & { signal?: AbortSignal; timeoutMs?: number },
): Promise<StepOutcome> {
  const handler = Object.hasOwn(handlers, task) ? handlers[task] : undefined;
  const schemas = validatorsFor(task);
  if (!handler || !schemas) {
    return fail('unknown_task', `this worker has no handler for task type "${task}"`);
  }
  if (!schemas.input(inputs)) {
    return fail('invalid_input', `inputs do not fit ${task}: ${firstError(schemas.input)}`);
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
  try {
    const result = await Promise.race([
      handler(inputs, { ...context, signal: controller.signal }),
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
    if (!schemas.output(parsed)) {
      return fail(
        'invalid_output',
        `the output does not fit ${task}: ${firstError(schemas.output)}`,
      );
    }
    return { ok: true, result: parsed };
  } catch (thrown) {
    return { ok: false, error: toStepError(thrown) };
  } finally {
    if (timer) clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function fail(code: SettledStepErrorCode, message: string): StepOutcome {
  return { ok: false, error: stepError(code, message) };
}
