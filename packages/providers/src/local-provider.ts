/** What the offline local provider offers (its functions and constants). */
export type LocalProvider = typeof import('./local/index.js');

let loading: Promise<LocalProvider> | undefined;

/**
 * The offline local provider, loaded on first use. Its image and language libraries (sharp,
 * resvg, compromise, obscenity…) cost a process tens of megabytes and most of a second: a worker
 * that serves none of its steps never pays for them.
 */
export function localProvider(): Promise<LocalProvider> {
  loading ??= import('./local/index.js');
  return loading;
}
