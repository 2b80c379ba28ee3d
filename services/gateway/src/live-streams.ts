import type { Logger } from '@weft/observability';
import type { ApiKeyPrincipal } from '@weft/store';
import { ApiError } from './api-error';
import { DEFAULT_STREAM_LIMITS } from './config';

/** A comment this often keeps proxies from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000;
const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');
/** How often the keys of open streams are checked for revocation, when another gateway revoked. */
export const KEY_CHECK_MS = 2_000;
/** A viewer this far behind is reading slower than the run changes: its stream ends. */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** The socket side of a stream, as an HTTP response offers it. */
export interface StreamSocket {
  write(chunk: string | Uint8Array): unknown;
  end(): void;
  /** Bytes written but not yet taken by the network. */
  readonly writableLength: number;
}

/** An open stream: write to it, and end it (once, whoever ends it first). */
export interface LiveStream {
  write: (chunk: string | Uint8Array) => void;
  end: () => void;
  /** Called once when the stream ends, however it ends. */
  onEnd: (listener: () => void) => void;
}

/** Options of {@link LiveStreams}. */
export interface LiveStreamsOptions {
  /** Streams one API key may hold open at once. Default: 100. */
  maxPerKey?: number;
  /** Streams one app may hold open at once. Default: 1000. */
  maxPerApp?: number;
  /** Which of these keys no longer work; their streams end. */
  revokedAmong(keyIds: readonly string[]): Promise<string[]>;
  logger: Logger;
  keyCheckMs?: number;
}

interface Open {
  principal: ApiKeyPrincipal;
  socket: StreamSocket;
  listeners: (() => void)[];
}

/**
 * The live streams this gateway holds open: at most so many per key and per app (429
 * `too_many_streams` beyond), one keep-alive timer for all, and every stream of a key ended soon
 * after the key is revoked — at once when revoked through this gateway, within
 * {@link KEY_CHECK_MS} when through another.
 */
export class LiveStreams {
  readonly maxPerKey: number;
  readonly maxPerApp: number;
  private readonly open = new Set<Open>();
  private readonly perKey = new Map<string, number>();
  private readonly perApp = new Map<string, number>();
  private keepAlive?: NodeJS.Timeout;
  private keyCheck?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly options: LiveStreamsOptions) {
    this.maxPerKey = options.maxPerKey ?? DEFAULT_STREAM_LIMITS.perKey;
    this.maxPerApp = options.maxPerApp ?? DEFAULT_STREAM_LIMITS.perApp;
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Opens a stream for `principal` over `socket`, or throws 429 `too_many_streams` when its key or
   * app holds as many as it may. Call before answering, so a refusal is a JSON error.
   */
  admit(principal: ApiKeyPrincipal, socket: StreamSocket): LiveStream {
    const keyCount = this.perKey.get(principal.keyId) ?? 0;
    const appCount = this.perApp.get(principal.appId) ?? 0;
    if (keyCount >= this.maxPerKey || appCount >= this.maxPerApp) {
      const [scope, limit] =
        keyCount >= this.maxPerKey
          ? (['key', this.maxPerKey] as const)
          : (['app', this.maxPerApp] as const);
      throw new ApiError(
        'too_many_streams',
        `This ${scope === 'key' ? 'API key' : 'app'} already holds ${limit} open event streams; close one first`,
        { scope, limit },
      );
    }
    const entry: Open = { principal, socket, listeners: [] };
    this.open.add(entry);
    this.perKey.set(principal.keyId, keyCount + 1);
    this.perApp.set(principal.appId, appCount + 1);
    this.startTimers();
    return {
      write: (chunk) => this.write(entry, chunk),
      end: () => this.end(entry),
      onEnd: (listener) => {
        if (this.open.has(entry)) entry.listeners.push(listener);
        else listener();
      },
    };
  }

  /** Ends every stream of a key just revoked here. */
  keyRevoked(keyId: string): void {
    for (const entry of [...this.open]) {
      if (entry.principal.keyId === keyId) this.end(entry);
    }
  }

  /** Ends every stream: for shutdown. */
  close(): void {
    for (const entry of [...this.open]) this.end(entry);
    this.stopTimers();
  }

  private write(entry: Open, chunk: string | Uint8Array): void {
    if (!this.open.has(entry)) return;
    entry.socket.write(chunk);
    if (entry.socket.writableLength > MAX_UNSENT_BYTES) this.end(entry);
  }

  private end(entry: Open): void {
    if (!this.open.delete(entry)) return;
    decrement(this.perKey, entry.principal.keyId);
    decrement(this.perApp, entry.principal.appId);
    entry.socket.end();
    for (const listener of entry.listeners) listener();
    if (this.open.size === 0) this.stopTimers();
  }

  private startTimers(): void {
    this.keepAlive ??= setInterval(() => {
      for (const entry of [...this.open]) this.write(entry, KEEP_ALIVE);
    }, KEEP_ALIVE_MS).unref();
    this.keyCheck ??= setInterval(
      () => void this.checkKeys(),
      this.options.keyCheckMs ?? KEY_CHECK_MS,
    ).unref();
  }

  private stopTimers(): void {
    clearInterval(this.keepAlive);
    clearInterval(this.keyCheck);
    this.keepAlive = undefined;
    this.keyCheck = undefined;
  }

  /** One query for all open streams' keys, however many streams there are. */
  private async checkKeys(): Promise<void> {
    if (this.checking || this.perKey.size === 0) return;
    this.checking = true;
    try {
      const revoked = await this.options.revokedAmong([...this.perKey.keys()]);
      for (const keyId of revoked) this.keyRevoked(keyId);
    } catch (error) {
      this.options.logger.warn('could not check the keys of open streams; trying again', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.checking = false;
    }
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
