import { withRegistered, type TaskCatalogue } from '@weft/core';
import type { KafkaClient } from '@weft/kafka';
import type { RegisteredTaskType } from './registry-record';
import { RegistryReader, type InvalidRegistryRecord } from './registry-reader';
import { removeTaskType } from './remove-task-type';

/** Options of a {@link TaskTypeRegistry}. */
export interface TaskTypeRegistryOptions {
  /**
   * Called for a record that is not a valid registration; its name is then not registered (as
   * after compaction, whatever came before it). Default: nothing.
   */
  onInvalidRecord?: (record: InvalidRegistryRecord) => void;
  /** How long `ready` and `catchUp` wait to read the registry to its end. Default: 30000 ms. */
  catchUpTimeoutMs?: number;
}

const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;

/**
 * The task types registered at run time, followed from the registry's topic into memory: what a
 * gateway validates workflows with and lists. Reads only Kafka. Start it, and wait for `ready`
 * before answering with it.
 */
export class TaskTypeRegistry {
  /** Resolves once the registry was read to the end it had at `start`; rejects if it cannot be. */
  readonly ready: Promise<void>;
  private readonly reader: RegistryReader;
  private readonly catchUpTimeoutMs: number;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  private cached: { list: readonly RegisteredTaskType[]; catalogue: TaskCatalogue } | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    options: TaskTypeRegistryOptions = {},
  ) {
    this.catchUpTimeoutMs = options.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS;
    this.reader = new RegistryReader(kafka, {
      onChange: () => {
        this.cached = undefined;
      },
      ...(options.onInvalidRecord ? { onInvalidRecord: options.onInvalidRecord } : {}),
    });
    this.ready = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Whoever awaits `ready` sees a failure; nobody awaiting it is no crash.
    this.ready.catch(() => undefined);
  }

  /** Starts following the registry; resolves and rejects as `ready` does. */
  async start(): Promise<void> {
    try {
      await this.reader.start();
      await this.reader.caughtUp(this.catchUpTimeoutMs);
      this.settle.resolve();
    } catch (error) {
      this.settle.reject(error);
    }
    return this.ready;
  }

  /** Every registered task type, by name. */
  list(): readonly RegisteredTaskType[] {
    return this.snapshot().list;
  }

  /** The registered task type of this name, or undefined (also for a built-in name). */
  get(name: string): RegisteredTaskType | undefined {
    return this.reader.registered.get(name);
  }

  /** The built-in task types and the registered ones, for validation (core's `withRegistered`). */
  catalogue(): TaskCatalogue {
    return this.snapshot().catalogue;
  }

  /** Resolves once what the registry holds now has been read: after a write, to see it here. */
  catchUp(): Promise<void> {
    return this.reader.caughtUp(this.catchUpTimeoutMs);
  }

  /**
   * Removes a registered type (see removeTaskType) and waits until this registry has seen it go.
   * Returns what was removed; undefined, writing nothing, when no such type is registered.
   */
  async remove(name: string): Promise<RegisteredTaskType | undefined> {
    const registered = this.get(name);
    if (registered === undefined) return undefined;
    await removeTaskType(this.kafka, name);
    await this.catchUp();
    return registered;
  }

  /** Stops following; what was read stays readable. */
  stop(): Promise<void> {
    return this.reader.stop();
  }

  private snapshot(): { list: readonly RegisteredTaskType[]; catalogue: TaskCatalogue } {
    if (this.cached === undefined) {
      const list = [...this.reader.registered.values()].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      this.cached = { list, catalogue: withRegistered(list) };
    }
    return this.cached;
  }
}
