const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, as an unsigned integer. Stable across processes,
 * machines and Node versions, unlike anything seeded per process, so cards and embeddings built
 * from it can be compared between runs.
 */
export function fnv1a(text: string): number {
  let hash = OFFSET_BASIS;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, PRIME);
  }
  return hash >>> 0;
}
