#!/usr/bin/env node
import { runCli } from './run-cli';

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stdoutBytes: (bytes) => process.stdout.write(bytes),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  // 0 when the terminal does not say (a pty without a size).
  columns: process.stderr.columns || 100,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`weft: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
