import { ProviderError } from '../provider-error';
import { fnv1a } from './fnv1a';

/** Largest vector embedText makes; beyond it the vector is mostly zeros for any real text. */
export const MAX_EMBEDDING_DIMENSIONS = 8192;

/**
 * A `dimensions`-long unit vector for `text` by feature hashing (default 256): each lowercased
 * word and each pair of neighbouring words adds ±1 to a bucket picked by its FNV-1a hash, the
 * sign taken from the hash's top bit so collisions cancel rather than pile up. Texts sharing
 * words get a higher cosine similarity; it knows nothing of meaning. Empty text: all zeros.
 */
export function embedText(text: string, dimensions = 256): number[] {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_EMBEDDING_DIMENSIONS) {
    throw new ProviderError(
      'invalid_input',
      `dimensions must be an integer from 1 to ${MAX_EMBEDDING_DIMENSIONS}, got ${dimensions}`,
    );
  }
  const vector = new Array<number>(dimensions).fill(0);
  const words =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const bigrams = words.slice(1).map((word, index) => `${words[index]} ${word}`);
  for (const feature of [...words, ...bigrams]) {
    const hash = fnv1a(feature);
    vector[hash % dimensions]! += hash >>> 31 === 1 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}
