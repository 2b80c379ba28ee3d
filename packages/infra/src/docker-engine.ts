import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** True when a Docker engine answers (not merely when the docker client is installed). */
export function dockerEngineAnswers(): boolean {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return info.status === 0 && info.stdout.trim().length > 0;
}

/** Runs `docker compose` on the repository's docker-compose.yml, failing with its output. */
export function dockerCompose(args: string[]): void {
  const file = join(repoRoot(), 'docker-compose.yml');
  const result = spawnSync('docker', ['compose', '-f', file, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new Error(`docker compose ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  }
}
