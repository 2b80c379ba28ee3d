// The peers' packages live in bench/peers/node_modules, apart from the workspaces, so that the
// engine's install never carries BullMQ or Temporal. They are installed on first use.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemResult, Workload } from '../report-shape';

/** Runs `npm ci` in bench/peers when its node_modules is missing; a no-op otherwise. */
export function ensurePeersInstalled(): void {
  if (existsSync(join(__dirname, 'node_modules'))) return;
  process.stderr.write('installing the peers’ packages (npm ci --prefix bench/peers)…\n');
  execFileSync('npm', ['ci', '--prefix', __dirname, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  });
}

export interface PeerOptions {
  quick: boolean;
  /** Default: every workload of report-shape.ts. */
  workloads?: readonly Workload[];
}

/** A peer's harness: measures it on the workloads, starting and stopping what it needs. */
export type PeerHarness = (options: PeerOptions) => Promise<SystemResult>;

const HARNESSES = { bullmq: 'runBullmq', temporal: 'runTemporal' } as const;

/**
 * A peer's harness, its packages installed first. The file is imported by a computed path, so
 * that a program type-checked by tsconfig.check.json never follows into files whose packages may
 * not be installed yet (bench/peers has its own tsconfig.json).
 */
export async function loadPeer(name: keyof typeof HARNESSES): Promise<PeerHarness> {
  ensurePeersInstalled();
  const loaded = (await import(join(__dirname, `${name}.ts`))) as Record<string, unknown>;
  const harness = loaded[HARNESSES[name]];
  if (typeof harness !== 'function') throw new Error(`${name}.ts exports no ${HARNESSES[name]}`);
  return harness as PeerHarness;
}
