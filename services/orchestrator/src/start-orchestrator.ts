import { runMetricsObserver } from '@weft/observability';
import {
  composeService,
  serviceRunStore,
  startConsuming,
  type Running,
  type ServiceDeps,
} from '@weft/service';
import type { RunStore } from '@weft/store';
import type { OrchestratorConfig } from './config';
import { Orchestrator } from './orchestrator';

/** What startOrchestrator may be handed instead of making it. */
export interface OrchestratorDeps extends ServiceDeps {
  /** Default: a run store on the service's database, publishing through a producer of its own. */
  runs?: RunStore;
}

/**
 * Starts an orchestrator: its database and Kafka client (unless `deps` has them), the run store,
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
      runs = await serviceRunStore(io);
      await io.ensureIndexes(runs);
      if (io.metrics) runs.observe(runMetricsObserver(io.metrics));
    }
    const orchestrator = new Orchestrator(io.kafka, runs, config, io.log, io.metrics);
    await startConsuming(io, 'orchestrator', orchestrator, {
      name: 'consumer',
      unready: 'not consuming step results',
    });
    return { orchestrator };
  });
}
