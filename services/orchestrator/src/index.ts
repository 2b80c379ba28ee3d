export {
  ORCHESTRATOR_DEFAULTS,
  readOrchestratorConfig,
  type OrchestratorConfig,
  type OrchestratorOptions,
} from './config';
export { Orchestrator } from './orchestrator';
export { startOrchestrator, type OrchestratorDeps } from './start-orchestrator';
