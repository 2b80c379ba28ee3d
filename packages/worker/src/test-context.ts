import { createLogger } from '@weft/observability';
import type { TaskContext } from './task-type';

/**
 * A TaskContext for calling a handler outside a worker, as a unit test does: attempt 1 of node
 * `node` of run `run_test`, a quiet logger, no deadline, and artifacts refused unless
 * `storeArtifact` is given.
 */
export function testTaskContext(overrides: Partial<TaskContext> = {}): TaskContext {
  const runId = overrides.runId ?? 'run_test';
  const nodeId = overrides.nodeId ?? 'node';
  const attempt = overrides.attempt ?? 1;
  return {
    appId: 'app_test',
    idempotencyKey: `${runId}:${nodeId}:${attempt}`,
    signal: new AbortController().signal,
    log: createLogger('test', { level: 'error' }),
    heartbeat: () => undefined,
    storeArtifact: () => Promise.reject(new Error('this context stores no artifacts')),
    ...overrides,
    runId,
    nodeId,
    attempt,
  };
}
