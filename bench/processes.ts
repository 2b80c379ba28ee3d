// Harness roles run as processes of their own, as Weft's services do in bench/weft-system.ts,
// so the load generator never competes with a worker for one event loop.
import { spawn, type ChildProcess } from 'node:child_process';

/** How long a role may take to say it is ready (a Temporal worker bundles its workflows first). */
const READY_TIMEOUT_MS = 120_000;

/**
 * Starts `file` again with `--role=<role>` under the same Node flags (tsx's loader included), and
 * resolves once it sends `ready` over IPC.
 */
export async function startRole(
  file: string,
  role: string,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...process.execArgv, file, `--role=${role}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
  return child;
}

/** Tells the parent this role is ready; a no-op when the file was started by hand. */
export function reportReady(): void {
  process.send?.('ready');
}

/** The value of `--role=<role>` in this process's arguments, if any. */
export function roleArgument(): string | undefined {
  return process.argv.find((arg) => arg.startsWith('--role='))?.slice('--role='.length);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `stop` on SIGINT or SIGTERM, then exits, so Ctrl-C leaves nothing running. Returns a
 * function that removes the handlers again, for when the harness ends normally.
 */
export function stopOnSignal(stop: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Wraps `stop` so that however many times it is called, it runs once. */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= stop());
}

/** The main of a harness file: runs `body`, prints a failure, and exits with its status. */
export function runMain(body: () => Promise<void>): void {
  body().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
