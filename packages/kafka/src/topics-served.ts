/** How long a topic just made may take before its leaders serve it. */
const SERVED_WITHIN_MS = 30_000;

/**
 * Waits until `probe` (a ListOffsets on every partition of `topics`, which only a partition's
 * current leader answers) succeeds. Metadata names a leader before that broker has taken the
 * partition up, and a produce sent in between is refused with NOT_LEADER_OR_FOLLOWER; on a busy
 * broker that lasted longer than a producer's retries.
 */
export async function waitUntilServed(
  topics: string[],
  probe: () => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + SERVED_WITHIN_MS;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${topics.join(', ')}: not served by their leaders within 30 s`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
