import type { Connection } from 'mongoose';
import { readProviderConfig } from '@weft/providers';
import { builtInTaskTypes, createStepHandlers, StepSecrets, type StepServices } from '@weft/steps';
import { GridFsArtifactStore, ResultStore, VectorStore } from '@weft/store';
import { executeStep, testTaskContext, type StepHandler, type StepOutcome } from '@weft/worker';

/** The public URL step tests build artifact URLs on; nothing listens there. */
export const TEST_PUBLIC_URL = 'http://weft.test:8080';

/** Step services on a real database, with providers configured by `env` (none: all local). */
export async function stepServices(
  connection: Connection,
  env: NodeJS.ProcessEnv,
  overrides: Partial<Omit<StepServices, 'artifacts'>> = {},
): Promise<StepServices & { artifacts: GridFsArtifactStore }> {
  const artifacts = new GridFsArtifactStore(connection);
  const results = new ResultStore(connection);
  const vectors = new VectorStore(connection);
  await Promise.all([artifacts.ensureIndexes(), results.ensureIndexes(), vectors.ensureIndexes()]);
  return {
    providers: readProviderConfig(env),
    artifacts,
    results,
    vectors,
    publicUrl: TEST_PUBLIC_URL,
    allowPrivateNetworks: true,
    secrets: new StepSecrets(),
    webhookSecrets: async () => ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    webhookEndpoints: async () => [],
    ...overrides,
  };
}

let attempts = 0;

/** Runs one attempt of `task` as a worker would, with a fresh run id unless one is given. */
export function runStep(
  handlers: Readonly<Record<string, StepHandler>>,
  task: string,
  inputs: Record<string, unknown>,
  options: { model_id?: string; appId?: string; runId?: string; nodeId?: string } = {},
): Promise<StepOutcome> {
  attempts += 1;
  const runId = options.runId ?? `run_test${attempts}`;
  const nodeId = options.nodeId ?? 'node';
  const served = Object.hasOwn(handlers, task) ? builtInTaskTypes(handlers, [task]) : new Map();
  return executeStep(served, task, inputs, {
    ...testTaskContext({ runId, nodeId, appId: options.appId ?? 'app_steps' }),
    timeoutMs: 20_000,
    ...(options.model_id !== undefined ? { model_id: options.model_id } : {}),
  });
}

export { createStepHandlers };
