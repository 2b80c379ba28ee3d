#!/usr/bin/env node
import { down, status, up, type ResourceReport } from './local-infra';
import { defaultStateDir } from './paths';

const USAGE = `usage: weft-infra <up|down|status|start>
  up      start Kafka and the database unless running or configured; print the settings
  down    stop what up started, and nothing else
  status  say what runs
  start   up, then stay in the foreground; Ctrl-C stops what this command started`;

async function main(command: string | undefined): Promise<number> {
  const stateDir = defaultStateDir();
  const log = (line: string) => console.error(`[infra] ${line}`);
  switch (command) {
    case 'up': {
      const { resources } = await up({ stateDir, log, mode: modeFromEnv() });
      printResources(resources);
      return 0;
    }
    case 'down': {
      const stopped = await down({ stateDir });
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing to stop');
      return 0;
    }
    case 'status': {
      const lines = status({ stateDir });
      for (const line of lines) {
        console.log(`${line.name.padEnd(9)} ${line.state.padEnd(16)} ${line.detail}`.trimEnd());
      }
      return lines.every((line) => line.state !== 'stopped') ? 0 : 1;
    }
    case 'start':
      return start(stateDir, log);
    default:
      console.error(USAGE);
      return 2;
  }
}

async function start(stateDir: string, log: (line: string) => void): Promise<number> {
  const { resources } = await up({ stateDir, log, mode: modeFromEnv() });
  printResources(resources);
  const startedHere = resources
    .filter((resource) => resource.source === 'started')
    .map((resource) => resource.name);
  console.log('\nWeft is up. Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (startedHere.length > 0) {
    log(`stopping ${startedHere.join(' and ')}`);
    await down({ stateDir, only: startedHere });
  }
  return 0;
}

function modeFromEnv(): 'local' | 'docker' | 'auto' {
  const mode = process.env.WEFT_INFRA ?? 'auto';
  if (mode === 'local' || mode === 'docker' || mode === 'auto') return mode;
  throw new Error(`WEFT_INFRA must be local, docker or auto, not "${mode}"`);
}

function printResources(resources: ResourceReport[]): void {
  for (const resource of resources) {
    const where = resource.pid ? ` (pid ${resource.pid}, log ${resource.logFile})` : '';
    console.error(`[infra] ${resource.product}: ${resource.source}${where}`);
  }
  const kafka = resources.find((resource) => resource.name === 'kafka');
  const database = resources.find((resource) => resource.name === 'database');
  console.log(`KAFKA_BROKERS=${kafka?.address ?? ''}`);
  console.log(`MONGODB_URI=${database?.address ?? ''}`);
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
