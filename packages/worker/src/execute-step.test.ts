import { StepFailure, type JsonSchema } from '@weft/core';
import { NonRetriableError, RetryableError } from './errors';
import { testTaskContext } from './test-context';
import { executeStep, type TaskTypes } from './execute-step';
import { defineTaskType, TaskTypeDefinitionError, type TaskHandler } from './task-type';

const context = testTaskContext({ runId: 'r', nodeId: 'n', appId: 'a' });

function served(handler: TaskHandler<{ n: number }, unknown>, extra: object = {}): TaskTypes {
  const type = defineTaskType<{ n: number }, unknown>({
    name: 'acme/double',
    description: 'Doubles n',
    inputSchema: {
      type: 'object',
      required: ['n'],
      properties: { n: { type: 'number' } },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['twice'],
      properties: { twice: { type: 'number' } },
    },
    handler,
    ...extra,
  });
  return new Map([[type.name, type]]);
}

const double = served(async ({ n }) => Promise.resolve({ twice: n * 2 }));

describe('executeStep with a user task type', () => {
  it('runs the handler on inputs that fit, and returns its output', async () => {
    expect(await executeStep(double, 'acme/double', { n: 21 }, context)).toEqual({
      ok: true,
      result: { twice: 42 },
    });
  });

  it('refuses inputs and outputs that do not fit the schemas, not retryably', async () => {
    expect(await executeStep(double, 'acme/double', { n: 'x' }, context)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', retryable: false },
    });
    const wrong = served(async () => Promise.resolve({ thrice: 1 }));
    expect(await executeStep(wrong, 'acme/double', { n: 1 }, context)).toMatchObject({
      ok: false,
      error: { code: 'invalid_output', retryable: false },
    });
  });

  it('refuses a task type it does not serve', async () => {
    expect(await executeStep(double, 'acme/other', { n: 1 }, context)).toMatchObject({
      ok: false,
      error: { code: 'unknown_task', retryable: false },
    });
  });

  it('fails at once on NonRetriableError, retryably on RetryableError and on any other throw', async () => {
    const refused = served(async () => {
      await Promise.resolve();
      throw new NonRetriableError('no such customer', {
        code: 'customer_unknown',
        details: { id: 7 },
      });
    });
    expect(await executeStep(refused, 'acme/double', { n: 1 }, context)).toEqual({
      ok: false,
      error: {
        code: 'customer_unknown',
        message: 'no such customer',
        retryable: false,
        details: { id: 7 },
      },
    });
    const busy = served(async () => {
      await Promise.resolve();
      throw new RetryableError('busy', { retryAfterMs: 2_000 });
    });
    expect(await executeStep(busy, 'acme/double', { n: 1 }, context)).toMatchObject({
      error: { code: 'step_failed', retryable: true, retryAfterMs: 2_000 },
    });
    const broken = served(async () => {
      await Promise.resolve();
      throw new Error('socket hang up');
    });
    expect(await executeStep(broken, 'acme/double', { n: 1 }, context)).toMatchObject({
      error: { code: 'step_error', message: 'socket hang up', retryable: true },
    });
  });

  it('aborts at the timeout and on the caller’s signal, and hands the handler its signal', async () => {
    let seen: AbortSignal | undefined;
    const waits = served(
      (_inputs, { signal }) =>
        new Promise((resolve) => {
          seen = signal;
          setTimeout(resolve, 60_000).unref();
        }),
    );
    expect(
      await executeStep(waits, 'acme/double', { n: 1 }, { ...context, timeoutMs: 30 }),
    ).toMatchObject({ ok: false, error: { code: 'step_timeout', retryable: true } });
    expect(seen?.aborted).toBe(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(
      await executeStep(waits, 'acme/double', { n: 1 }, { ...context, signal: controller.signal }),
    ).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('fails an attempt whose handler stops calling heartbeat() past its heartbeatTimeout', async () => {
    const beats = (count: number) =>
      served(
        async (_inputs, { heartbeat }) => {
          for (let i = 0; i < count; i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            heartbeat();
          }
          await new Promise((resolve) => setTimeout(resolve, 400));
          return { twice: 0 };
        },
        { heartbeatTimeout: 0.1 },
      );
    const started = Date.now();
    expect(await executeStep(beats(10), 'acme/double', { n: 1 }, context)).toMatchObject({
      ok: false,
      error: { code: 'step_timeout', message: 'the handler sent no heartbeat for 100 ms' },
    });
    // Ten beats 20 ms apart kept it alive past 100 ms; the silence after them did not.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('never starts a handler whose attempt was aborted before it began', async () => {
    let started = 0;
    const counted = served(async () => {
      started += 1;
      return Promise.resolve({ twice: 0 });
    });
    const ended = new AbortController();
    ended.abort(new StepFailure('run_ended', 'the run ended (run.cancelled)'));
    const outcome = await executeStep(
      counted,
      'acme/double',
      { n: 1 },
      {
        ...context,
        signal: ended.signal,
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'run_ended', retryable: false } });
    expect(started).toBe(0);
  });
});

describe('defineTaskType', () => {
  const base = {
    name: 'acme/x',
    description: 'x',
    inputSchema: { type: 'object' } as JsonSchema,
    outputSchema: {},
    handler: async () => Promise.resolve(1),
  };

  it('defaults the version to 1 and compiles the schemas', () => {
    const type = defineTaskType(base);
    expect(type.version).toBe(1);
    expect(type.validate.input({})).toBeUndefined();
    expect(type.validate.input([])).toMatch(/must be object/);
  });

  it('refuses a schema that is not one, a bad version and a bad timeout, naming the type', () => {
    expect(() =>
      defineTaskType({ ...base, inputSchema: { type: 'thing' } as unknown as JsonSchema }),
    ).toThrow(TaskTypeDefinitionError);
    expect(() =>
      defineTaskType({ ...base, inputSchema: { type: 'thing' } as unknown as JsonSchema }),
    ).toThrow(/task type "acme\/x": inputSchema is not a JSON Schema/);
    expect(() => defineTaskType({ ...base, version: 0 })).toThrow(/version/);
    expect(() => defineTaskType({ ...base, timeout: -1 })).toThrow(/timeout/);
  });
});
