import type { CliContext } from '../command';
import { runCli } from '../run-cli';

/** What a command line did: its exit code and everything it printed. */
export interface CapturedRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI on `argv` with `env` as its whole environment, capturing what it prints. */
export async function runCaptured(argv: string[], env: NodeJS.ProcessEnv): Promise<CapturedRun> {
  const outcome = { code: -1, out: '', err: '' };
  const context: CliContext = {
    env,
    stdout: (text) => {
      outcome.out += text;
    },
    stderr: (text) => {
      outcome.err += text;
    },
  };
  outcome.code = await runCli(argv, context);
  return outcome;
}
