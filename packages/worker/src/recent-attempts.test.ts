import { RecentAttempts } from './recent-attempts';

describe('RecentAttempts', () => {
  it('forgets the oldest attempt beyond its limit, and a handed-back one at once', () => {
    const recent = new RecentAttempts(2);
    for (const key of ['r:a:1', 'r:b:1', 'r:c:1']) recent.remember(key);
    expect(['r:a:1', 'r:b:1', 'r:c:1'].map((key) => recent.has(key))).toEqual([false, true, true]);

    recent.forget('r:b:1');
    expect(recent.has('r:b:1')).toBe(false);
    // The room a handed-back attempt left is used before the oldest is forgotten.
    recent.remember('r:d:1');
    expect(['r:c:1', 'r:d:1'].map((key) => recent.has(key))).toEqual([true, true]);
  });
});
