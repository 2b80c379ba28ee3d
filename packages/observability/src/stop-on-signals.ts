import type { Logger } from './logger';

/**
 * On SIGTERM or SIGINT, runs `steps` in order (stop consuming, close servers, flush traces,
 * disconnect) and exits 0, or 1 when one of them fails: the shutdown every service shares.
 */
export function stopOnSignals(log: Logger, steps: readonly (() => Promise<unknown>)[]): void {
  const stop = (signal: NodeJS.Signals) => {
    log.info('stopping', { signal });
    void (async () => {
      try {
        for (const step of steps) await step();
        process.exit(0);
      } catch (error) {
        log.error('stop failed', { error });
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
