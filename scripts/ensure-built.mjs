#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run infra:*`, so that a fresh clone needs no other
// step: installs dependencies when package-lock.json changed since the last install, then builds
// (tsc -b is incremental: a no-op when nothing changed), and builds the web console when its
// sources, or core's which it bundles, are newer than its build. Uses only Node's standard library.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
  console.error('[setup] installing dependencies (npm ci)');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);

/** The newest modification time of a file or of any file under a directory (0 if absent). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const consoleDir = join(root, 'packages', 'console');
const consoleBuilt = newest(join(consoleDir, 'dist', 'index.html'));
const consoleSources = Math.max(
  ...['app', 'public', 'vite', 'index.html', 'vite.config.mts', 'package.json']
    .concat(['tsconfig.json', 'tsconfig.node.json'])
    .map((name) => newest(join(consoleDir, name))),
  newest(join(root, 'packages', 'core', 'src')),
);
if (consoleBuilt < consoleSources) {
  console.error('[setup] building the web console (packages/console)');
  run(npm, ['run', 'build', '-w', '@weft/console']);
}
