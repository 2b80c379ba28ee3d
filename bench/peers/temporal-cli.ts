// The `temporal` CLI, whose `server start-dev` is Temporal's dev server (one process, SQLite in
// memory). It is built once from the Go module proxy into the cache, since this machine reaches
// the proxy but not GitHub's release downloads.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, freePort, waitFor } from '@weft/infra';
import { stopProcess } from '../processes';

/**
 * The newest v1.x `go install` can build from the module proxy: v1.9.1's go.mod replaces
 * github.com/temporalio/cli/cliext with ./cliext, a nested module the proxy does not serve, and
 * `go install module@version` refuses any module with a replace directive.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** The CLI's path: TEMPORAL_CLI, else the cached build, built now (several minutes) if missing. */
export function ensureTemporalCli(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const dir = join(cacheDir(), `temporal-${TEMPORAL_CLI_VERSION}`);
  const binary = join(dir, 'temporal');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(
    `building the temporal CLI ${TEMPORAL_CLI_VERSION} into ${dir} (once; several minutes)…\n`,
  );
  const built = spawnSync(
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
    { env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' }, stdio: 'inherit' },
  );
  if (built.status !== 0 || !existsSync(binary)) {
    const why = built.error ? built.error.message : `go install exited with ${built.status}`;
    throw new Error(`cannot build the temporal CLI (${why}); set TEMPORAL_CLI to one`);
  }
  return binary;
}

export interface TemporalDevServer {
  /** `host:port` of the frontend's gRPC service. */
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on free ports, without the web UI, nothing on disk, and
 * resolves once `answers(address)` does.
 */
export async function startTemporalDevServer(
  binary: string,
  answers: (address: string) => Promise<void>,
): Promise<TemporalDevServer> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'error',
      // Nothing from the user's own Temporal config may change what is measured.
      '--disable-config-file',
      '--disable-config-env',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${binary}`, { cause: error })));
    child.once('exit', (code) => reject(new Error(`the Temporal dev server exited (${code})`)));
  });
  // Its exit when stopped later rejects this too; that is expected, not an error.
  exited.catch(() => undefined);
  try {
    await Promise.race([
      exited,
      waitFor(
        `the Temporal dev server at ${address}`,
        () => answers(address).then(() => true as const),
        { timeoutMs: 60_000, intervalMs: 250 },
      ),
    ]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { address, stop: () => stopProcess(child) };
}
