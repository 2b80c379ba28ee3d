import { spawn } from 'node:child_process';
import { accessSync, appendFileSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Runs a command to completion with its output appended to `logFile`; on failure the error
 * carries the output's last lines, so a failed download or build says why.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; logFile: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  appendFileSync(options.logFile, `\n$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => appendFileSync(options.logFile, chunk);
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? ` (is ${command} installed and on PATH?)` : '';
      reject(new Error(`could not run ${command}${hint}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      if (code === 0) return resolve();
      const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n');
      reject(new Error(`${command} exited with ${code}; see ${options.logFile}:\n${tail}`));
    });
  });
}

/** True when `command` can be found on PATH. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
