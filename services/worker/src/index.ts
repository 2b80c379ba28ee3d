export { readWorkerConfig, WORKER_DEFAULTS, type WorkerConfig } from './config';
export { startWorker, type WorkerDeps } from './start-worker';
