import { ProviderError } from '../provider-error';
import { embedText } from './embed-text';

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const length = (vector: number[]) => Math.hypot(...vector);

describe('embedText', () => {
  it('is deterministic and of unit length', () => {
    const vector = embedText('The quick brown fox jumps over the lazy dog');
    expect(vector).toEqual(embedText('The quick brown fox jumps over the lazy dog'));
    expect(vector).toHaveLength(256);
    expect(length(vector)).toBeCloseTo(1, 12);
  });

  it('ignores case and punctuation, but not word order (bigrams)', () => {
    expect(embedText('Hello, World!')).toEqual(embedText('hello world'));
    const forward = embedText('dog bites man');
    expect(forward).not.toEqual(embedText('man bites dog'));
    expect(cosine(forward, embedText('man bites dog'))).toBeGreaterThan(0.5);
  });

  it('scores similar texts above unrelated ones', () => {
    const query = embedText('how do I reset my account password');
    const similar = embedText('reset the password of your account');
    const unrelated = embedText('the weather in Lisbon is sunny today');
    // Three shared words out of a dozen features each; unrelated texts meet only in collisions.
    expect(cosine(query, similar)).toBeGreaterThan(0.2);
    expect(cosine(query, unrelated)).toBeLessThan(0.1);
  });

  it('respects the requested dimensions', () => {
    expect(embedText('some text', 8)).toHaveLength(8);
    expect(length(embedText('some text', 1))).toBeCloseTo(1, 12);
    expect(embedText('some text', 3072)).toHaveLength(3072);
  });

  it('handles any script', () => {
    const vector = embedText('Привет мир 你好');
    expect(length(vector)).toBeCloseTo(1, 12);
    expect(cosine(vector, embedText('привет'))).toBeGreaterThan(0);
  });

  it('returns all zeros for text without words', () => {
    expect(embedText('', 4)).toEqual([0, 0, 0, 0]);
    expect(embedText('  ...  !?', 4)).toEqual([0, 0, 0, 0]);
  });

  it.each([0, -1, 2.5, 10_000, NaN])('refuses %p dimensions as invalid_input', (dimensions) => {
    expect(() => embedText('x', dimensions)).toThrow(ProviderError);
  });
});
