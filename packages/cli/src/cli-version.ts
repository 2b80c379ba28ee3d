import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let version: string | undefined;

/**
 * The CLI's version: its package.json's, the one place it is written. Read from the package at
 * run time because package.json lies outside the compiled `src/` (`dist/` and `src/` both sit
 * beside it).
 */
export function cliVersion(): string {
  if (version === undefined) {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    if (typeof manifest.version !== 'string') {
      throw new Error("@weft/cli's package.json has no version");
    }
    version = manifest.version;
  }
  return version;
}
