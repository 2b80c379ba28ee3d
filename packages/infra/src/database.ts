import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir, repoRoot } from './paths';
import { spawnDetached, type DetachedProcess } from './processes';
import { onPath, runCommand } from './run-command';
import { waitFor } from './wait-for';

/** MongoDB when a `mongod` binary is on PATH; FerretDB (SQLite backend) otherwise. */
export type DatabaseKind = 'mongodb' | 'ferretdb';

export function chooseDatabase(env: NodeJS.ProcessEnv = process.env): DatabaseKind {
  return onPath('mongod', env) ? 'mongodb' : 'ferretdb';
}

function ferretdbModule(): string {
  return join(repoRoot(), 'deploy', 'local', 'ferretdb');
}

/** FerretDB's version, as pinned in `deploy/local/ferretdb/go.mod`. */
export function ferretdbVersion(): string {
  const goMod = readFileSync(join(ferretdbModule(), 'go.mod'), 'utf8');
  const match = /github\.com\/FerretDB\/FerretDB (v[^\s]+)/.exec(goMod);
  if (!match?.[1]) throw new Error(`no FerretDB requirement in ${ferretdbModule()}/go.mod`);
  return match[1];
}

/**
 * The FerretDB binary, built on first use by the Go toolchain from the module proxy and cached
 * outside the repository; returns its path.
 */
export async function ensureFerretdbBinary(logFile: string): Promise<string> {
  const dir = join(cacheDir(), `ferretdb-${ferretdbVersion()}`);
  const binary = join(dir, 'ferretdb');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.partial`;
  await runCommand('go', ['build', '-o', partial, '.'], { cwd: ferretdbModule(), logFile });
  // Renamed only once whole, so an interrupted build is never taken for a finished one.
  renameSync(partial, binary);
  return binary;
}

/** Starts the database on 127.0.0.1:`port` with its data under `dir`. */
export async function startDatabase(options: {
  kind: DatabaseKind;
  dir: string;
  port: number;
  logFile: string;
}): Promise<DetachedProcess> {
  const { kind, dir, port, logFile } = options;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  if (kind === 'mongodb') {
    return spawnDetached(
      'mongod',
      ['--dbpath', dataDir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'],
      { logFile, marker: dataDir },
    );
  }
  const binary = await ensureFerretdbBinary(logFile);
  return spawnDetached(
    binary,
    ['-listen-addr', `127.0.0.1:${port}`, '-data-dir', dataDir, '-log-level', 'warn'],
    { logFile, marker: dataDir },
  );
}

/** Waits until the database answers a ping. */
export async function waitForDatabase(uri: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `the database at ${uri}`,
    async () => {
      const client = new MongoClient(uri, {
        serverSelectionTimeoutMS: 1000,
        connectTimeoutMS: 1000,
      });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
        return true;
      } finally {
        await client.close();
      }
    },
    { timeoutMs, intervalMs: 300 },
  );
}
