import { runMetricsObserver } from '@weft/observability';
import {
  composeService,
  serviceRuns,
  startConsuming,
  type Running,
  type ServiceDeps,
  type ServiceRuns,
} from '@weft/service';
import type { OrchestratorConfig } from './config';
import { Orchestrator } from './orchestrator';

/** What startOrchestrator may be handed instead of making it. */
export interface OrchestratorDeps extends ServiceDeps {
  /**
   * Default: the runs on the service's database, the engine publishing through a producer of its
   * own. The orchestrator starts the engine (it then defers its outbox clears) and stops it.
   */
  runs?: ServiceRuns;
}

/**
 * Starts an orchestrator: its database and Kafka client (unless `deps` has them), the runs,
 * the health endpoints, then the consumer of step results. Stops in the reverse order.
 */
export function startOrchestrator(
  config: OrchestratorConfig,
  deps: OrchestratorDeps = {},
): Promise<Running<{ orchestrator: Orchestrator }>> {
  const service = { name: 'orchestrator', kafkaClientId: 'weft-orchestrator' };
  return composeService(service, config, deps, async (io) => {
    let runs = deps.runs;
    if (!runs) {
      runs = await serviceRuns(io);
      await io.ensureIndexes(runs.store);
      if (io.metrics) runs.engine.observe(runMetricsObserver(io.metrics));
    }
    const { store, engine } = runs;
    const orchestrator = new Orchestrator(io.kafka, store, engine, config, io.log, io.metrics);
    await startConsuming(io, 'orchestrator', orchestrator, {
      name: 'consumer',
      unready: 'not consuming step results',
    });
    return { orchestrator };
  });
}
