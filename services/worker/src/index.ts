export { readWorkerConfig, WORKER_DEFAULTS, type WorkerConfig, type WorkerOptions } from './config';
export { startWorker, type WorkerDeps } from './start-worker';
export { Worker } from './worker';
