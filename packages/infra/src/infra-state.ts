import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseKind } from './database';
import type { KafkaPorts } from './kafka-broker';

/** What `infra:up` started, so `infra:down` stops exactly that and nothing else. */
export interface InfraState {
  kafka?: {
    pid: number;
    marker: string;
    ports: KafkaPorts;
    version: string;
    /** The other brokers of a cluster (`WEFT_KAFKA_BROKERS_LOCAL=3`): nodes 2, 3… */
    others?: { pid: number; marker: string; ports: KafkaPorts }[];
  };
  database?: { pid: number; marker: string; port: number; kind: DatabaseKind };
  /** Set when the broker and database run as docker compose services instead. */
  docker?: { kafkaPort: number; databasePort: number };
}

function stateFile(stateDir: string): string {
  return join(stateDir, 'state.json');
}

export function readState(stateDir: string): InfraState {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as InfraState;
}

export function writeState(stateDir: string, state: InfraState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFile(stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}
