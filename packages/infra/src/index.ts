export {
  up,
  down,
  status,
  type Infrastructure,
  type InfraOptions,
  type ResourceReport,
  type StatusLine,
} from './local-infra';
export { defaultStateDir, cacheDir, repoRoot } from './paths';
export { dockerEngineAnswers } from './docker-engine';
export { waitFor, type WaitOptions } from './wait-for';
export { freePort } from './ports';
export { SERVICE_NODE_FLAGS, serviceArguments, type ServiceName } from './services';
export { startBanner, type StartFacts } from './start-banner';
// The pieces the tests and the chaos program start their own brokers and databases with.
export { chooseDatabase, startDatabase, waitForDatabase, type DatabaseKind } from './database';
export {
  ensureKafkaJars,
  newClusterId,
  replicationOf,
  startKafka,
  waitForKafka,
  type KafkaPorts,
} from './kafka-broker';
export { isRunning, stopProcess, type DetachedProcess } from './processes';
export { readState } from './infra-state';
