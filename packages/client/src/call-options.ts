/** Per-call options every method takes. */
export interface CallOptions {
  /** Aborts the call (and its retries), rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** The signal of a call, as RequestSpec wants it (absent rather than undefined). */
export function signalOf(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal === undefined ? {} : { signal: options.signal };
}
