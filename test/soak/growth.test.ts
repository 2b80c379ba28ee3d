import { fitLine, GROWTH_RULE, judgeGrowth, MB, median, type Reading } from './growth';

/** A repeatable pseudo-random sequence in [-1, 1): the same noise on every run. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (state / 2_147_483_648) * 2 - 1;
  };
}

/** A 30-minute soak sampled every 15 s, each reading made by `at(t)`. */
function soak(at: (t: number) => Partial<Reading>, minutes = 30): Reading[] {
  const readings: Reading[] = [];
  for (let t = 0; t <= minutes * 60; t += 15) {
    readings.push({ t, rssBytes: 150 * MB, heapUsedBytes: 50 * MB, handles: 30, ...at(t) });
  }
  return readings;
}

describe('fitLine', () => {
  it('recovers a straight line exactly', () => {
    const line = fitLine([0, 10, 20, 30].map((x) => ({ x, y: 5 + 2 * x })));
    expect(line.slope).toBeCloseTo(2, 10);
    expect(line.intercept).toBeCloseTo(5, 10);
  });

  it('is flat through the mean when every x is the same', () => {
    expect(
      fitLine([
        { x: 3, y: 1 },
        { x: 3, y: 3 },
      ]),
    ).toEqual({ slope: 0, intercept: 2 });
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('judgeGrowth', () => {
  it('passes memory and handles that are flat apart from noise', () => {
    const random = noise(7);
    const readings = soak(() => ({
      rssBytes: (150 + 8 * random()) * MB,
      heapUsedBytes: (50 + 6 * random()) * MB,
      handles: Math.round(30 + 4 * random()),
    }));
    const verdict = judgeGrowth(readings, 0);
    expect(verdict.status).toBe('pass');
    expect(verdict.reasons).toEqual([]);
    expect(Math.abs(verdict.heap?.growthBytes ?? Infinity)).toBeLessThan(4 * MB);
  });

  it('ignores a warm-up of 20% of the span, and at least two minutes', () => {
    expect(
      judgeGrowth(
        soak(() => ({})),
        0,
      ).warmUpSeconds,
    ).toBe(360);
    expect(
      judgeGrowth(
        soak(() => ({}), 5),
        0,
      ).warmUpSeconds,
    ).toBe(120);
  });

  it('ignores a climb during the warm-up', () => {
    // RSS doubles in the first minutes (heap, JIT, pools filling), then holds.
    const readings = soak((t) => ({ rssBytes: Math.min(300, 100 + t) * MB }));
    expect(judgeGrowth(readings, 0).status).toBe('pass');
  });

  it('fails heap used that climbs steadily by 30% over the measured span', () => {
    const warmUp = 360;
    const readings = soak((t) => ({
      heapUsedBytes: 100 * MB * (1 + (0.3 * Math.max(0, t - warmUp)) / (1800 - warmUp)),
    }));
    const verdict = judgeGrowth(readings, 0);
    expect(verdict.status).toBe('fail');
    expect(verdict.heap?.failed).toBe(true);
    expect(verdict.heap?.growthShare).toBeCloseTo(0.3, 5);
    expect(verdict.heap?.bytesPerHour).toBeCloseTo((30 * MB * 3600) / (1800 - warmUp), 0);
    expect(verdict.rss?.failed).toBe(false);
    expect(verdict.reasons).toEqual([expect.stringMatching(/^heap used grew 30\.0 MB \(30%\)/)]);
  });

  it('passes a 30% climb smaller than the byte floor', () => {
    // 20 MB → 26 MB: a large share of a small heap, within what a cache settling may take.
    const readings = soak((t) => ({ heapUsedBytes: 20 * MB * (1 + (0.3 * t) / 1800) }));
    expect(judgeGrowth(readings, 0).status).toBe('pass');
  });

  it('passes a sawtooth: heap that climbs and is collected again', () => {
    // 40 → 90 MB over each two-minute cycle, then a major GC drops it back.
    const random = noise(11);
    const readings = soak((t) => ({
      heapUsedBytes: (40 + 50 * ((t % 120) / 120) + 2 * random()) * MB,
      rssBytes: (160 + 20 * ((t % 120) / 120)) * MB,
    }));
    const verdict = judgeGrowth(readings, 0);
    expect(verdict.status).toBe('pass');
    expect(verdict.heap?.growthBytes ?? Infinity).toBeLessThan(GROWTH_RULE.maxGrowthBytes);
  });

  it('fails handles that leak', () => {
    // One more handle every 30 s: a socket or timer never closed.
    const readings = soak((t) => ({ handles: 30 + Math.floor(t / 30) }));
    const verdict = judgeGrowth(readings, 0);
    expect(verdict.status).toBe('fail');
    expect(verdict.handles?.failed).toBe(true);
    expect(verdict.rss?.failed).toBe(false);
    expect(verdict.heap?.failed).toBe(false);
    expect(verdict.reasons).toEqual([expect.stringMatching(/^active handles rose/)]);
  });

  it('passes handles that wander within the allowance', () => {
    const readings = soak((t) => ({ handles: 30 + (Math.floor(t / 60) % 15) }));
    expect(judgeGrowth(readings, 0).status).toBe('pass');
  });

  it('fails a service that exited unplanned, whatever its memory did', () => {
    const verdict = judgeGrowth(
      soak(() => ({})),
      1,
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual(['exited unplanned 1 time(s)']);
  });

  it('gives no verdict when too few readings follow the warm-up', () => {
    const verdict = judgeGrowth(
      soak(() => ({}), 2),
      0,
    );
    expect(verdict.status).toBe('inconclusive');
    expect(verdict.measured).toBeLessThan(GROWTH_RULE.minReadings);
  });

  it('gives no verdict, only trends, when the measured span is too short', () => {
    // Five minutes: two of warm-up, three measured. RSS climbing 30 MB in that time may be noise.
    const verdict = judgeGrowth(
      soak((t) => ({ rssBytes: (100 + t / 6) * MB }), 5),
      0,
    );
    expect(verdict.status).toBe('inconclusive');
    expect(verdict.measuredSeconds).toBe(180);
    expect(verdict.rss?.failed).toBe(true);
    expect(verdict.reasons).toEqual([expect.stringMatching(/too few to judge/)]);
  });
});
