import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { MongoClient } from 'mongodb';
import { copyDependencies, javaCommand, pomProperty } from './java-tools';
import { cacheDir, repoRoot } from './paths';
import { spawnDetached, type DetachedProcess } from './processes';
import { onPath, runCommand } from './run-command';
import { waitFor } from './wait-for';

/**
 * MongoDB when a `mongod` binary is on PATH; otherwise mongo-java-server (H2 backend). FerretDB v1
 * (SQLite) can be asked for with `WEFT_LOCAL_DATABASE=ferretdb`, but its concurrent updates of one
 * document are not isolated (two compare-and-sets on one version can both succeed), which breaks
 * Weft's exactly-once-in-effect guarantee, so it is never chosen by default.
 */
export type DatabaseKind = 'mongodb' | 'mongo-java-server' | 'ferretdb';

export function chooseDatabase(env: NodeJS.ProcessEnv = process.env): DatabaseKind {
  const asked = env.WEFT_LOCAL_DATABASE?.trim();
  if (asked === 'mongodb' || asked === 'mongo-java-server' || asked === 'ferretdb') return asked;
  if (asked) {
    throw new Error(
      `WEFT_LOCAL_DATABASE must be mongodb, mongo-java-server or ferretdb, not "${asked}"`,
    );
  }
  return onPath('mongod', env) ? 'mongodb' : 'mongo-java-server';
}

function mongoJavaServerModule(): string {
  return join(repoRoot(), 'deploy', 'local', 'mongo-java-server');
}

/** mongo-java-server's version, as pinned in `deploy/local/mongo-java-server/pom.xml`. */
export function mongoJavaServerVersion(): string {
  return pomProperty(join(mongoJavaServerModule(), 'pom.xml'), 'mongo-java-server.version');
}

/**
 * mongo-java-server's jars (from Maven Central) and our launcher and extensions (`src/weft`)
 * compiled with javac, cached outside the repository and keyed by the sources; returns the
 * classpath.
 */
export async function ensureMongoJavaServer(logFile: string): Promise<string> {
  const module = mongoJavaServerModule();
  const sourceDir = join(module, 'src', 'weft');
  const sources = readdirSync(sourceDir)
    .filter((name) => name.endsWith('.java'))
    .sort()
    .map((name) => join(sourceDir, name));
  const hash = createHash('sha256').update(readFileSync(join(module, 'pom.xml')));
  for (const source of sources) hash.update(source).update(readFileSync(source));
  const key = hash.digest('hex').slice(0, 12);
  const dir = join(cacheDir(), `mongo-java-server-${mongoJavaServerVersion()}-${key}`);
  const libs = join(dir, 'libs');
  const classes = join(dir, 'classes');
  const classpath = `${classes}${delimiter}${join(libs, '*')}`;
  if (existsSync(join(dir, '.complete'))) return classpath;
  mkdirSync(libs, { recursive: true });
  await copyDependencies(join(module, 'pom.xml'), libs, logFile);
  await runCommand('javac', ['-cp', join(libs, '*'), '-d', classes, ...sources], { logFile });
  writeFileSync(join(dir, '.complete'), new Date().toISOString());
  return classpath;
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
  // Keyed by our wrapper's sources too, so a change to them builds a new binary.
  const sources = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    sources.update(readFileSync(join(ferretdbModule(), file)));
  }
  const dir = join(
    cacheDir(),
    `ferretdb-${ferretdbVersion()}-${sources.digest('hex').slice(0, 12)}`,
  );
  const binary = join(dir, 'ferretdb');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.partial`;
  await runCommand('go', ['build', '-o', partial, '.'], { cwd: ferretdbModule(), logFile });
  // Renamed only once whole, so an interrupted build is never taken for a finished one.
  renameSync(partial, binary);
  return binary;
}

/** The heap mongo-java-server needs besides H2's page cache: requests, cursors, its in-memory indexes. */
const H2_HEAP_BESIDES_CACHE_MB = 1536;

/**
 * H2's page cache for a data file of `bytes`: room for all of it and half as much again to grow,
 * between 256 MB and 2 GB. H2's default of 16 MB made every read past ~10,000 runs go to the file
 * (a scan then cost 17 µs a document instead of 1).
 */
export function h2CacheMb(bytes: number): number {
  return Math.min(2048, Math.max(256, Math.ceil((bytes * 1.5) / 2 ** 20)));
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
  if (kind === 'mongo-java-server') {
    const classpath = await ensureMongoJavaServer(logFile);
    const dataFile = join(dataDir, 'weft.mv');
    const cacheMb = h2CacheMb(existsSync(dataFile) ? statSync(dataFile).size : 0);
    return spawnDetached(
      javaCommand(),
      [
        '-Xms128m',
        `-Xmx${cacheMb + H2_HEAP_BESIDES_CACHE_MB}m`,
        '-cp',
        classpath,
        'weft.LocalMongo',
        String(port),
        dataFile,
        String(cacheMb),
      ],
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
