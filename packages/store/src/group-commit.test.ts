import { GroupCommit, insertEach, type ItemOutcome } from './group-commit';

/** A write that records its groups and waits until the test lets it finish. */
function gatedWrite() {
  const groups: number[][] = [];
  const gates: (() => void)[] = [];
  const write = async (items: number[]): Promise<ItemOutcome<number>[]> => {
    groups.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map((item) =>
      item < 0
        ? { ok: false, error: new Error(`refused ${item}`) }
        : { ok: true, value: item * 10 },
    );
  };
  const openNext = () => gates.shift()?.();
  return { groups, write, openNext };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes what one turn asked for together, and what came during a write in the next', async () => {
    const { groups, write, openNext } = gatedWrite();
    const commit = new GroupCommit(write);
    const first = [commit.add(1), commit.add(2)];
    await turn();
    expect(groups).toEqual([[1, 2]]);
    // Asked while the first write is in flight: they wait, all in one group.
    const second = [commit.add(3), commit.add(4)];
    await turn();
    const third = commit.add(5);
    await turn();
    expect(groups).toEqual([[1, 2]]);
    openNext();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await turn();
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    openNext();
    expect(await Promise.all([...second, third])).toEqual([30, 40, 50]);
  });

  it('fails an item the write refused alone, and every item of a write that threw', async () => {
    const { write, openNext } = gatedWrite();
    const commit = new GroupCommit(write);
    const answers = Promise.allSettled([commit.add(1), commit.add(-1), commit.add(2)]);
    await turn();
    openNext();
    expect((await answers).map((answer) => answer.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);

    const broken = new GroupCommit<number, number>(async () => {
      throw new Error('database away');
    });
    const failed = await Promise.allSettled([broken.add(1), broken.add(2)]);
    expect(failed).toEqual([
      { status: 'rejected', reason: new Error('database away') },
      { status: 'rejected', reason: new Error('database away') },
    ]);
  });

  it('fails the items of a write that never answers, and goes on with the next group', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, number>(
      async (items) => {
        groups.push(items);
        // The first write hangs, as a driver operation lost across a server restart does.
        if (groups.length === 1) return new Promise(() => undefined);
        return items.map((item) => ({ ok: true, value: item }));
      },
      { timeoutMs: 50 },
    );
    const hung = Promise.allSettled([commit.add(1), commit.add(2)]);
    await turn();
    const next = commit.add(3);
    expect(await hung).toEqual([
      { status: 'rejected', reason: new Error('the database did not answer a write within 50 ms') },
      { status: 'rejected', reason: new Error('the database did not answer a write within 50 ms') },
    ]);
    expect(await next).toBe(3);
    expect(groups).toEqual([[1, 2], [3]]);
  });

  it('writes at most maxItems at once, the rest next', async () => {
    const { groups, write, openNext } = gatedWrite();
    const commit = new GroupCommit(write, { maxItems: 2 });
    const all = Promise.all([1, 2, 3, 4, 5].map((item) => commit.add(item)));
    await turn();
    openNext();
    await turn();
    openNext();
    await turn();
    openNext();
    expect(await all).toEqual([10, 20, 30, 40, 50]);
    expect(groups).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('insertEach', () => {
  it('answers each document of an unordered insert: a refused one fails alone', async () => {
    const outcomes = await insertEach(async () => {
      throw Object.assign(new Error('E11000'), {
        writeErrors: [{ index: 1, code: 11000, errmsg: 'E11000 duplicate key' }],
      });
    }, ['a', 'b', 'c']);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 11000 } });
  });

  it('fails the whole insert when the error names no document', async () => {
    await expect(
      insertEach(async () => {
        throw new Error('connection closed');
      }, ['a']),
    ).rejects.toThrow('connection closed');
  });
});
