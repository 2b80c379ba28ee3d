/**
 * Whether a service's memory or handle count grows steadily under a constant load: the soak's
 * verdict, as plain functions over the samples so that it can be tested without a system.
 */

/** Bytes in the MB the soak reports (a mebibyte, as `ps` and most dashboards count). */
export const MB = 1024 * 1024;

/** One complete scrape of one service. */
export interface Reading {
  /** Seconds since the load started. */
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  handles: number;
}

/** The thresholds of the growth rule; `GROWTH_RULE` holds the soak's. */
export interface GrowthRule {
  /** Share of the sampled span ignored at the start while caches, pools and JIT warm up. */
  warmUpShare: number;
  /** The warm-up lasts at least this long, however short the soak. */
  minWarmUpSeconds: number;
  /** Memory fails only if its fitted growth exceeds this share of its fitted starting value… */
  maxGrowthShare: number;
  /** …and this many bytes: small heaps may wobble by a large share, large ones by many bytes. */
  maxGrowthBytes: number;
  /** Handles fail if the median of the last third exceeds that of the first third by more. */
  maxHandleRise: number;
  /** Fewer readings than this after the warm-up: no verdict. */
  minReadings: number;
  /**
   * Measured less long than this after the warm-up: no verdict. Over a minute or two, RSS swings
   * of tens of MB as the allocator takes and returns pages would read as growth.
   */
  minMeasuredSeconds: number;
}

export const GROWTH_RULE: GrowthRule = {
  warmUpShare: 0.2,
  minWarmUpSeconds: 120,
  maxGrowthShare: 0.2,
  maxGrowthBytes: 16 * MB,
  maxHandleRise: 20,
  minReadings: 4,
  minMeasuredSeconds: 300,
};

/** The rule in words, for the soak's output and its README. */
export function describeRule(rule: GrowthRule = GROWTH_RULE): string {
  return [
    `warm-up ignored: the first ${rule.warmUpShare * 100}% of the sampled span, at least ${rule.minWarmUpSeconds / 60} min;`,
    `memory: a least-squares line through heap used and one through RSS; a service fails if either's fitted growth over the measured span exceeds both ${rule.maxGrowthShare * 100}% of its fitted starting value and ${rule.maxGrowthBytes / MB} MB;`,
    `handles: fails if the median of the last third of the measured samples exceeds that of the first third by more than ${rule.maxHandleRise};`,
    'any unplanned exit fails the service;',
    `no verdict (INCONCLUSIVE) with fewer than ${rule.minReadings} samples or under ${rule.minMeasuredSeconds / 60} min after the warm-up.`,
  ].join('\n');
}

/** A straight line y = intercept + slope·x. */
export interface Line {
  slope: number;
  intercept: number;
}

/** The least-squares line through the points; flat through the mean when every x is the same. */
export function fitLine(points: readonly { x: number; y: number }[]): Line {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  const slope = variance === 0 ? 0 : covariance / variance;
  return { slope, intercept: meanY - slope * meanX };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** A memory series' fitted trend over the measured span. */
export interface MemoryTrend {
  /** The fitted line's value at the first and the last measured reading, in bytes. */
  fittedStart: number;
  fittedEnd: number;
  growthBytes: number;
  /** fittedEnd − fittedStart as a share of fittedStart. */
  growthShare: number;
  bytesPerHour: number;
  failed: boolean;
}

export interface HandleTrend {
  firstThirdMedian: number;
  lastThirdMedian: number;
  rise: number;
  failed: boolean;
}

export interface Verdict {
  /** `inconclusive`: too few readings, or too short a span, after the warm-up to judge. */
  status: 'pass' | 'fail' | 'inconclusive';
  /** Why it failed or could not be judged; empty on a pass. */
  reasons: string[];
  warmUpSeconds: number;
  /** Readings after the warm-up, and the seconds from the first of them to the last. */
  measured: number;
  measuredSeconds: number;
  rss?: MemoryTrend;
  heap?: MemoryTrend;
  handles?: HandleTrend;
}

/**
 * Judges one service from its complete readings under load (in any order) and the number of
 * times it exited unplanned.
 */
export function judgeGrowth(
  readings: readonly Reading[],
  unplannedExits: number,
  rule: GrowthRule = GROWTH_RULE,
): Verdict {
  const sorted = [...readings].sort((a, b) => a.t - b.t);
  const first = sorted[0]?.t ?? 0;
  const last = sorted[sorted.length - 1]?.t ?? 0;
  const warmUpSeconds = Math.max(rule.warmUpShare * (last - first), rule.minWarmUpSeconds);
  const measured = sorted.filter((r) => r.t >= first + warmUpSeconds);
  const reasons: string[] = [];
  if (unplannedExits > 0) reasons.push(`exited unplanned ${unplannedExits} time(s)`);
  const start = measured[0]?.t ?? 0;
  const end = measured[measured.length - 1]?.t ?? 0;
  const verdict: Verdict = {
    status: 'pass',
    reasons,
    warmUpSeconds,
    measured: measured.length,
    measuredSeconds: end - start,
  };
  if (measured.length < 2) {
    reasons.push(
      `only ${measured.length} readings after a warm-up of ${(warmUpSeconds / 60).toFixed(1)} min`,
    );
    verdict.status = unplannedExits > 0 ? 'fail' : 'inconclusive';
    return verdict;
  }

  const trend = (pick: (r: Reading) => number): MemoryTrend => {
    const line = fitLine(measured.map((r) => ({ x: r.t, y: pick(r) })));
    const fittedStart = line.intercept + line.slope * start;
    const fittedEnd = line.intercept + line.slope * end;
    const growthBytes = fittedEnd - fittedStart;
    return {
      fittedStart,
      fittedEnd,
      growthBytes,
      growthShare: fittedStart > 0 ? growthBytes / fittedStart : Number.POSITIVE_INFINITY,
      bytesPerHour: line.slope * 3600,
      failed: growthBytes > rule.maxGrowthShare * fittedStart && growthBytes > rule.maxGrowthBytes,
    };
  };
  verdict.rss = trend((r) => r.rssBytes);
  verdict.heap = trend((r) => r.heapUsedBytes);
  const third = Math.max(1, Math.floor(measured.length / 3));
  const firstThirdMedian = median(measured.slice(0, third).map((r) => r.handles));
  const lastThirdMedian = median(measured.slice(measured.length - third).map((r) => r.handles));
  const rise = lastThirdMedian - firstThirdMedian;
  verdict.handles = {
    firstThirdMedian,
    lastThirdMedian,
    rise,
    failed: rise > rule.maxHandleRise,
  };

  const minutes = (verdict.measuredSeconds / 60).toFixed(1);
  const growth: string[] = [];
  for (const [label, memory] of [
    ['RSS', verdict.rss],
    ['heap used', verdict.heap],
  ] as const) {
    if (memory.failed) {
      growth.push(
        `${label} grew ${(memory.growthBytes / MB).toFixed(1)} MB (${(memory.growthShare * 100).toFixed(0)}%) in ${minutes} min`,
      );
    }
  }
  if (verdict.handles.failed) {
    growth.push(`active handles rose from a median of ${firstThirdMedian} to ${lastThirdMedian}`);
  }
  const tooShort =
    measured.length < rule.minReadings || verdict.measuredSeconds < rule.minMeasuredSeconds;
  if (unplannedExits > 0) {
    reasons.push(...growth);
    verdict.status = 'fail';
  } else if (tooShort) {
    // The trends are still worth printing, but over so short a span they are not a verdict.
    reasons.push(
      `${measured.length} readings over ${minutes} min after the warm-up are too few to judge (${rule.minReadings} readings and ${rule.minMeasuredSeconds / 60} min needed)`,
    );
    verdict.status = 'inconclusive';
  } else if (growth.length > 0) {
    reasons.push(...growth);
    verdict.status = 'fail';
  }
  return verdict;
}
