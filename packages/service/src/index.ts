export {
  DEFAULT_STOP_DEADLINE_MS,
  EXIT_CODES,
  runService,
  type ServiceDefinition,
  type ServiceRuntime,
} from './run-service';
export {
  composeService,
  serviceRuns,
  startConsuming,
  type ConsumingPart,
  type Running,
  type ServiceDeps,
  type ServiceIo,
  type ServiceRuns,
} from './service-deps';
export { StartedParts } from './started-parts';
