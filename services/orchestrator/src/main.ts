import { runService } from '@weft/service';
import { readOrchestratorConfig } from './config';
import { startOrchestrator } from './start-orchestrator';

void runService({
  name: 'orchestrator',
  readConfig: readOrchestratorConfig,
  start: (config, runtime) => startOrchestrator(config, runtime),
});
