#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { down, status, up, type ResourceReport } from './local-infra';
import { defaultStateDir, repoRoot } from './paths';
import { Supervisor, SYSTEM_SERVICES, withHealthPorts } from './services';
import { startBanner } from './start-banner';
import { waitFor } from './wait-for';

const USAGE = `usage: weft-infra <up|down|status|start>
  up      start Kafka and the database unless running or configured; print the settings
  down    stop what up started, and nothing else
  status  say what runs
  start   up, then run the gateway, orchestrator and workers in the foreground and print a
          demo app's API key; Ctrl-C stops what this command started`;

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
  const { resources, infrastructure } = await up({ stateDir, log, mode: modeFromEnv() });
  printResources(resources);
  const startedHere = resources
    .filter((resource) => resource.source === 'started')
    .map((resource) => resource.name);

  const port = process.env.PORT ?? '8080';
  const env = {
    ...process.env,
    KAFKA_BROKERS: infrastructure.kafkaBrokers,
    MONGODB_URI: infrastructure.mongoUri,
    PORT: port,
    // Artifact URLs (the demo's PNGs) are built on it; the gateway serves them.
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${port}`,
  };
  const supervisor = new Supervisor(env, log);
  const services = await withHealthPorts(SYSTEM_SERVICES);
  for (const service of services) supervisor.start(service);
  const gatewayUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'the gateway',
      async () => ((await fetch(`${gatewayUrl}/healthz`)).ok ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const demo = await demoApp(join(stateDir, '..'), gatewayUrl, env);
    const serviceMetrics = services.flatMap((service) => {
      const healthPort = service.env?.HEALTH_PORT;
      return healthPort
        ? [{ name: service.name, url: `http://127.0.0.1:${healthPort}/metrics` }]
        : [];
    });
    const banner = startBanner({
      gatewayUrl,
      demoAppId: demo.appId,
      demoApiKey: demo.apiKey,
      serviceMetrics,
    });
    console.log(`\n${banner}`);
  } catch (error) {
    log(`could not start: ${(error as Error).message}`);
    await supervisor.stop();
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping the services');
  await supervisor.stop();
  if (startedHere.length > 0) {
    log(`stopping ${startedHere.join(' and ')}`);
    await down({ stateDir, only: startedHere });
  }
  return 0;
}

interface DemoApp {
  appId: string;
  apiKey: string;
}

/**
 * The demo app's key, kept in `.weft/demo-app.json` (outside git) so every start prints the same
 * one; a new app is made when there is none or its key no longer authenticates.
 */
async function demoApp(
  weftDir: string,
  gatewayUrl: string,
  env: NodeJS.ProcessEnv,
): Promise<DemoApp> {
  const file = join(weftDir, 'demo-app.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoApp;
    const check = await fetch(`${gatewayUrl}/v1/workflows`, {
      headers: { 'X-API-Key': saved.apiKey },
    });
    if (check.ok) return saved;
  }
  // In this database, whatever admin token or profile the user's shell has: with one, the CLI
  // would create the app over that gateway's API instead.
  const local = { ...env, WEFT_ADMIN_TOKEN: '', WEFT_PROFILE: '', WEFT_CONFIG: devNull };
  const created = spawnSync(
    process.execPath,
    [join(repoRoot(), 'packages', 'cli', 'dist', 'cli.js'), 'apps', 'create', 'demo', '--json'],
    { env: local, encoding: 'utf8' },
  );
  if (created.status !== 0)
    throw new Error(`weft apps create failed: ${created.stderr || created.stdout}`);
  const demo = JSON.parse(created.stdout) as DemoApp;
  mkdirSync(weftDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ appId: demo.appId, apiKey: demo.apiKey }, null, 2) + '\n', {
    mode: 0o600,
  });
  return demo;
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
