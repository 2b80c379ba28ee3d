/** What one item of a group came to: its answer, or the error it alone failed with. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most items in one write; the rest wait for the next. Default: 1000. */
  maxItems?: number;
  /**
   * How long a write may take before its items are failed and the next group goes: the MongoDB
   * driver can leave an operation unanswered forever across a server restart (seen in chaos runs),
   * and one such write must not hold every later item. Default: 30000 ms.
   */
  timeoutMs?: number;
}

/**
 * Writes items in groups, one write in flight at a time: an item asked for while a write is in
 * flight waits for it and goes with every other that arrived meanwhile. An idle store answers an
 * item after one turn of the event loop; a busy one makes one round trip for many items, as a
 * database's group commit does. Each item is answered on its own: `write` says how each fared, and
 * a write that throws, or outlasts the timeout, fails every item of its group. A write given up on
 * may still land later, so it must be one its callers can safely ask for again.
 */
export class GroupCommit<T, R> {
  private queue: Waiting<T, R>[] = [];
  private writing = false;
  private readonly maxItems: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly write: (items: T[]) => Promise<ItemOutcome<R>[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxItems = options.maxItems ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length === 1 && !this.writing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const group = this.queue.splice(0, this.maxItems);
    let timer: NodeJS.Timeout | undefined;
    try {
      const written = this.write(group.map((waiting) => waiting.item));
      const givenUp = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`the database did not answer a write within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
      });
      // Should it fail after being given up on, nobody is left to hear it.
      written.catch(() => undefined);
      const outcomes = await Promise.race([written, givenUp]);
      for (const [index, waiting] of group.entries()) {
        const outcome = outcomes[index];
        if (outcome === undefined) waiting.reject(new Error('the group write gave no answer'));
        else if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      }
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    } finally {
      clearTimeout(timer);
      this.writing = false;
      if (this.queue.length > 0) void this.flush();
    }
  }
}

/** The per-document errors of an unordered bulk write, by the index of the document. */
export function writeErrorsOf(error: unknown): Map<number, Error> {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list: unknown[] = Array.isArray(writeErrors)
    ? writeErrors
    : writeErrors
      ? [writeErrors]
      : [];
  const byIndex = new Map<number, Error>();
  for (const entry of list) {
    const { index, code, errmsg } = entry as { index?: unknown; code?: unknown; errmsg?: unknown };
    if (typeof index !== 'number') continue;
    const message = typeof errmsg === 'string' ? errmsg : `write refused (${String(code)})`;
    byIndex.set(index, Object.assign(new Error(message), { code }));
  }
  return byIndex;
}

/**
 * An unordered `insertMany` of `documents`, each answered on its own: a duplicate key (or any
 * refusal of one document) fails that document alone.
 */
export async function insertEach<D>(
  insertMany: (documents: D[]) => Promise<unknown>,
  documents: D[],
): Promise<ItemOutcome<void>[]> {
  try {
    await insertMany(documents);
    return documents.map(() => ({ ok: true, value: undefined }));
  } catch (error) {
    const failed = writeErrorsOf(error);
    // Without per-document errors the command failed as a whole: every document with it.
    if (failed.size === 0) throw error;
    return documents.map((_, index) => {
      const refused = failed.get(index);
      return refused ? { ok: false, error: refused } : { ok: true, value: undefined };
    });
  }
}
