import { newId } from './ids';

describe('newId', () => {
  it('has the prefix, 10 time characters and 12 random ones, all base 36', () => {
    expect(newId('run')).toMatch(/^run_[0-9a-z]{22}$/);
  });

  it('sorts in the order ids were made, even many within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId('res'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps sorting when the clock steps back', () => {
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(Date.UTC(2030, 0, 1));
      const before = newId('x');
      now.mockReturnValue(Date.UTC(2029, 0, 1));
      const after = newId('x');
      expect(after > before).toBe(true);
    } finally {
      now.mockRestore();
    }
  });
});
