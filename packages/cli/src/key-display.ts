/** A key as listings show it, by its prefix only: `weft_<prefix>_…`; the rest is secret. */
export function keyByPrefix(prefix: string): string {
  return `weft_${prefix}_…`;
}
