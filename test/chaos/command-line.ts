/**
 * The command line of the long-running programs (chaos, soak): `--<flag> N` options that take a
 * positive number, `--keep`, and `--help`.
 */
export function parseCommandLine<T extends { keep: boolean }>(
  argv: string[],
  defaults: T,
  numbers: Record<string, { [K in keyof T]: T[K] extends number ? K : never }[keyof T]>,
  usage: string,
): T {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const key = numbers[arg];
    if (key !== undefined) {
      const next = Number(argv[++i]);
      if (!Number.isFinite(next) || next <= 0) throw new Error(`${arg} needs a positive number`);
      (options as Record<string, unknown>)[key as string] = next;
    } else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`usage: ${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

/** Progress lines on stderr, stamped with the seconds since `started`. */
export function progressLog(name: string, started: number): (line: string) => void {
  return (line) =>
    process.stderr.write(`[${name} +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}
