import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DetachedProcess {
  pid: number;
  /** A string in the process's command line that identifies it as ours (its data folder). */
  marker: string;
}

/**
 * Starts a process that outlives this one, its output appended to `logFile`. Used by `infra:up`,
 * whose broker and database keep running after the command returns.
 */
export function spawnDetached(
  command: string,
  args: string[],
  options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv; marker: string },
): DetachedProcess {
  const out = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return { pid: child.pid, marker: options.marker };
  } finally {
    closeSync(out);
  }
}

/**
 * True when `target` still runs and is the one we started: a pid alone may have been reused by an
 * unrelated program since, so its command line must still carry our marker.
 */
export function isRunning(target: DetachedProcess): boolean {
  const cmdline = commandLine(target.pid);
  return cmdline !== undefined && cmdline.includes(target.marker) && !isZombie(target.pid);
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    // No /proc (macOS): ask ps, which exits non-zero for a pid that does not exist.
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout : undefined;
  }
}

/** An exited child not yet reaped by its parent still has a command line; it is not running. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Stops a process we started: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(target: DetachedProcess, graceMs = 15_000): Promise<void> {
  if (!isRunning(target)) return;
  signal(target.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(target)) {
    if (Date.now() >= deadline) {
      signal(target.pid, 'SIGKILL');
      await until(() => !isRunning(target), 5_000);
      return;
    }
    await sleep(100);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(50);
}
