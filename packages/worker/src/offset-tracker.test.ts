import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits below the oldest unfinished message, whatever order they finish in', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['10', '11', '12']) tracker.begin('t', 0, offset);
    expect(tracker.inFlight).toBe(3);
    const commit = () => {
      const positions = tracker.committable();
      tracker.markCommitted(positions);
      return positions;
    };
    expect(commit()).toEqual([{ topic: 't', partition: 0, offset: '10' }]);

    tracker.end('t', 0, '12');
    expect(commit()).toEqual([]);
    tracker.end('t', 0, '10');
    expect(tracker.committable()).toEqual([{ topic: 't', partition: 0, offset: '11' }]);
    // Not marked committed (the commit failed): offered again.
    expect(commit()).toEqual([{ topic: 't', partition: 0, offset: '11' }]);
    tracker.end('t', 0, '11');
    expect(commit()).toEqual([{ topic: 't', partition: 0, offset: '13' }]);
    expect(tracker.inFlight).toBe(0);
  });

  it('keeps partitions and topics apart, including topics with colons and dots', () => {
    const tracker = new OffsetTracker();
    tracker.begin('weft.steps.core.delay', 1, '5');
    tracker.begin('weft.steps.core.delay', 2, '7');
    tracker.end('weft.steps.core.delay', 2, '7');
    expect(tracker.committable()).toEqual([
      { topic: 'weft.steps.core.delay', partition: 1, offset: '5' },
      { topic: 'weft.steps.core.delay', partition: 2, offset: '8' },
    ]);
  });

  it('handles offsets beyond 2^53 exactly', () => {
    const tracker = new OffsetTracker();
    tracker.begin('t', 0, '9007199254740993');
    tracker.end('t', 0, '9007199254740993');
    expect(tracker.committable()).toEqual([
      { topic: 't', partition: 0, offset: '9007199254740994' },
    ]);
  });
});
