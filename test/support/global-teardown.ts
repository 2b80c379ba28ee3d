/** Stops what global-setup.ts started for this run, and only that. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.weftInfrastructure?.release();
}
