import type { Logger } from '@weft/observability';

interface Part {
  name: string;
  stop: () => Promise<unknown>;
}

/**
 * The parts of a service that have started, each with how it stops. They stop in the reverse of
 * the order they started, so nothing is stopped while a later part still uses it: consumers before
 * the health server, the producer and the database they use, tracing last.
 */
export class StartedParts {
  private readonly parts: Part[] = [];
  private stopping?: Promise<boolean>;

  /** Records a part that has started (or is starting: its stop must cope with a half start). */
  add(name: string, stop: () => Promise<unknown>): void {
    if (this.stopping) throw new Error(`"${name}" started after the service began to stop`);
    this.parts.push({ name, stop });
  }

  /** Names of the parts, in the order they started. */
  get names(): string[] {
    return this.parts.map((part) => part.name);
  }

  /**
   * Stops every part, the last started first. A part that fails to stop is logged and the others
   * are still stopped. Resolves true when all stopped cleanly; once, however often it is called.
   */
  stopAll(log?: Logger): Promise<boolean> {
    this.stopping ??= (async () => {
      let clean = true;
      for (const part of [...this.parts].reverse()) {
        try {
          await part.stop();
        } catch (error) {
          clean = false;
          log?.error('could not stop a part', { part: part.name, error });
        }
      }
      return clean;
    })();
    return this.stopping;
  }
}
