import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The checkout's top folder: the nearest parent of this file holding `deploy/local`. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'deploy', 'local'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find deploy/local above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/**
 * Where downloaded jars and built binaries are kept between checkouts, outside the repository.
 * Default: `$XDG_CACHE_HOME/weft` or `~/.cache/weft`; `WEFT_CACHE_DIR` overrides.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEFT_CACHE_DIR) return env.WEFT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'weft');
}

/** Where `infra:up` keeps data, logs and its state file. Default: `.weft/infra` in the checkout. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WEFT_STATE_DIR || join(repoRoot(), '.weft', 'infra');
}
