/** MongoDB's "E11000 duplicate key" error: an insert lost to an earlier one with the same key. */
export function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}
