import { newClusterId } from './kafka-broker';

describe('newClusterId', () => {
  it('is 22 base64url characters and never starts with "-", which the storage tool would refuse', () => {
    // About 1 in 64 raw ids start with "-": 5,000 draws would meet dozens of them.
    for (let i = 0; i < 5_000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
