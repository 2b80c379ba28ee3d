// A redis-server of the harness's own, on a free port, with nothing written to disk: BullMQ is
// measured against a Redis that nobody else uses, and it is gone when the harness ends.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort, waitFor } from '@weft/infra';
import { stopProcess } from '../processes';

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

/** Debian's redis-server, where the peer harness looks for it by default. */
const DEBIAN_REDIS = '/usr/bin/redis-server';

/**
 * Installs Debian's redis-server when it is missing and this is a Debian machine (as root, or
 * through sudo), as .ci/run installs Chromium; otherwise the start below fails saying so.
 */
function ensureDebianRedis(): void {
  if (existsSync(DEBIAN_REDIS) || !existsSync('/usr/bin/apt-get')) return;
  process.stderr.write('installing redis-server from Debian for the BullMQ peer…\n');
  const root = process.getuid?.() === 0;
  const [command, prefix] = root ? ['apt-get', []] : ['sudo', ['apt-get']];
  const install = [...prefix, 'install', '-y', '--no-install-recommends', 'redis-server'];
  try {
    execFileSync(command, install, { stdio: 'ignore' });
  } catch {
    // The package lists may be missing or stale on a fresh machine.
    execFileSync(command, [...prefix, 'update'], { stdio: 'ignore' });
    execFileSync(command, install, { stdio: 'ignore' });
  }
}

/** Starts `REDIS_SERVER` (default Debian's, installed if missing) once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const binary = process.env.REDIS_SERVER ?? DEBIAN_REDIS;
  if (binary === DEBIAN_REDIS) ensureDebianRedis();
  const port = await freePort();
  const child = spawn(
    binary,
    // No RDB snapshots, no AOF: persistence is not what is measured, and nothing must be left.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${binary}`, { cause: error })));
    child.once('exit', (code) => reject(new Error(`${binary} exited with code ${code}`)));
  });
  // Its exit when stopped later rejects this too; that is expected, not an error.
  failed.catch(() => undefined);
  try {
    await Promise.race([
      failed,
      waitFor(`redis-server on port ${port}`, () => ping(port), { timeoutMs: 15_000 }),
    ]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { port, stop: () => stopProcess(child) };
}

/** True once a PING on `port` is answered with PONG. */
function ping(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG') ? true : undefined);
    });
    socket.once('error', () => resolve(undefined));
    socket.once('close', () => resolve(undefined));
  });
}
