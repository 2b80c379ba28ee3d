#!/usr/bin/env node
'use strict';
// The `weft` command. npm links a package's bin only when its file exists at install time, and
// `npm ci` on a fresh clone runs before anything is compiled: so the linked file is this one,
// committed, and it builds the compiled command (scripts/ensure-built.mjs) the first time.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(compiled)) {
  const ensureBuilt = join(__dirname, '..', '..', '..', 'scripts', 'ensure-built.mjs');
  if (!existsSync(ensureBuilt)) {
    process.stderr.write(`weft: ${compiled} is missing; build the package first (npm run build)\n`);
    process.exit(1);
  }
  process.stderr.write('weft: building Weft once, before the first command\n');
  // Progress goes to stderr, so that stdout holds only the command's own output (--json).
  execFileSync(process.execPath, [ensureBuilt], { stdio: ['ignore', 2, 2] });
}
require(compiled);
