import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { WorkflowDefinition } from '@weft/core';
import { canonicalJson } from './canonical-json';
import { isDuplicateKey } from './duplicate-key';

interface DefinitionDocument {
  _id: string;
  /** The canonical definition as JSON text: user keys may hold `.` or `$`, which fields cannot. */
  json: string;
  createdAt: number;
}

/**
 * Immutable workflow definitions, addressed by the hash of their canonical JSON: a saved version,
 * a built-in template and an ephemeral plan all become one, and identical ones are stored once.
 * Reads are cached in memory, as a definition never changes.
 */
export class DefinitionStore {
  private readonly definitions: Collection<DefinitionDocument>;
  private readonly cache = new Map<string, WorkflowDefinition>();
  private readonly storing = new Map<string, Promise<void>>();
  private readonly loading = new Map<string, Promise<WorkflowDefinition | undefined>>();

  constructor(
    connection: Connection,
    private readonly cacheSize = 2000,
  ) {
    this.definitions = connection.collection<DefinitionDocument>('definitions');
  }

  /** Nothing to create: definitions are found by `_id` alone. Kept so every store starts alike. */
  async ensureIndexes(): Promise<void> {}

  /** Stores `definition` if new; returns its id either way. */
  async put(definition: WorkflowDefinition): Promise<string> {
    const json = canonicalJson(definition);
    const id = `def_${createHash('sha256').update(json).digest('hex').slice(0, 40)}`;
    if (this.cache.has(id)) return id;
    // Runs started together with a new definition store it once, not once each.
    let storing = this.storing.get(id);
    if (!storing) {
      storing = this.store(id, json).finally(() => this.storing.delete(id));
      this.storing.set(id, storing);
    }
    await storing;
    return id;
  }

  private async store(id: string, json: string): Promise<void> {
    try {
      await this.definitions.insertOne({ _id: id, json, createdAt: Date.now() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    this.remember(id, JSON.parse(json) as WorkflowDefinition);
  }

  async get(id: string): Promise<WorkflowDefinition | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    // Runs of one definition read together (after a restart) read it once, not once each.
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  private async load(id: string): Promise<WorkflowDefinition | undefined> {
    const found = await this.definitions.findOne({ _id: id });
    if (!found) return undefined;
    const definition = JSON.parse(found.json) as WorkflowDefinition;
    this.remember(id, definition);
    return definition;
  }

  private remember(id: string, definition: WorkflowDefinition): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(id, definition);
  }
}
