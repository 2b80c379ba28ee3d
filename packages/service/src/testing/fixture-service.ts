/**
 * A service for run-service.test.ts, run as a real process: its parts are named in FIXTURE_PARTS
 * (comma-separated) and start in that order, each logging as it starts and stops. FIXTURE_FAIL
 * names a part whose start throws, FIXTURE_HANG one whose stop never ends, FIXTURE_DEADLINE_MS
 * sets the stop deadline. It serves health on HEALTH_PORT, with one check per part.
 */
import { readBaseConfig } from '@weft/config';
import { runService } from '../run-service';

const env = process.env;
const parts = (env.FIXTURE_PARTS ?? '').split(',').filter(Boolean);

void runService({
  name: 'fixture',
  readConfig: readBaseConfig,
  start: async (_config, { log, parts: started, serveHealth }) => {
    await serveHealth(Object.fromEntries(parts.map((part) => [part, async () => undefined])));
    for (const part of parts) {
      if (part === env.FIXTURE_FAIL) throw new Error(`${part} would not start`);
      started.add(part, async () => {
        if (part === env.FIXTURE_HANG) await new Promise(() => undefined);
        log.info('part stopped', { part });
      });
      log.info('part started', { part });
    }
    log.info('fixture started');
  },
  ...(env.FIXTURE_DEADLINE_MS ? { stopDeadlineMs: () => Number(env.FIXTURE_DEADLINE_MS) } : {}),
});
