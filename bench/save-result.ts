import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { SystemResult } from './report-shape';

/**
 * Writes `result` to bench/results/<system>-<time>.json, formatted as the repository's Prettier
 * wants it, so that a result left there never fails `prettier --check`. Returns the path.
 */
export async function saveResult(result: SystemResult): Promise<string> {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-');
  const path = join(dir, `${result.system}-${stamp}.json`);
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(JSON.stringify(result), { ...options, filepath: path }));
  return path;
}
