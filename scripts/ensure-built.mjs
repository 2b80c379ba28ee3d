#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run infra:*`, so that a fresh clone needs no other
// step: installs dependencies when package-lock.json changed since the last install, then builds
// (tsc -b is incremental: a no-op when nothing changed). Uses only Node's standard library.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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
