import { inBatchesUnder } from './outbox-publisher';
import type { OutboxEntry } from './stored-run';

const entry = (name: string, bytes: number): OutboxEntry => ({
  topic: 't',
  key: name,
  value: 'x'.repeat(bytes),
  at: 0,
});

describe('inBatchesUnder', () => {
  it('keeps the order and never lets a batch pass the limit', () => {
    const entries = ['a', 'b', 'c', 'd', 'e'].map((name) => entry(name, 400));
    const batches = inBatchesUnder(1_000, entries);
    expect(batches.map((batch) => batch.map((e) => e.key))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
  });

  it('sends an entry larger than the limit on its own rather than dropping it', () => {
    const batches = inBatchesUnder(1_000, [
      entry('small', 10),
      entry('huge', 5_000),
      entry('s', 1),
    ]);
    expect(batches.map((batch) => batch.map((e) => e.key))).toEqual([['small'], ['huge'], ['s']]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const batches = inBatchesUnder(
      10,
      [entry('a', 0), entry('b', 0)].map((e) => ({ ...e, value: 'é'.repeat(3) })),
    );
    expect(batches).toHaveLength(2);
  });

  it('has no batch for no entries', () => {
    expect(inBatchesUnder(1_000, [])).toEqual([]);
  });
});
