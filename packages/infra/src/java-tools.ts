import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command';

/** The `java` to run: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** A `<properties>` value of a pom, e.g. the version it pins. */
export function pomProperty(pom: string, name: string): string {
  const match = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(
    readFileSync(pom, 'utf8'),
  );
  if (!match?.[1]) throw new Error(`no <${name}> in ${pom}`);
  return match[1];
}

/** Gathers the runtime dependencies of `pom` from Maven Central into `outputDir`, with Maven. */
export async function copyDependencies(
  pom: string,
  outputDir: string,
  logFile: string,
): Promise<void> {
  await runCommand(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${outputDir}`,
      '-DincludeScope=runtime',
    ],
    { logFile },
  );
}
