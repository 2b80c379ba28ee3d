import type { ServiceProcesses } from '../chaos/service-processes';

/** What one scrape of one service's `/metrics` said, or why it said nothing. */
export interface ServiceSample {
  /** `worker-1#2`: the process scraped (slot and incarnation). */
  incarnation: string;
  /** Set when the process is not the one the previous sample scraped. */
  restarted?: true;
  rssBytes?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  externalBytes?: number;
  handles?: number;
  requests?: number;
  /** Why figures are missing: no answer, an answer other than 200, or a metric absent. */
  gap?: string;
}

/** One round of scrapes, every service at (nearly) the same moment. */
export interface Sample {
  /** Epoch ms when the round began. */
  at: number;
  /** Seconds since the load started. */
  t: number;
  /** `load` while runs are submitted, `settle` while the last ones end. */
  phase: 'load' | 'settle';
  services: Record<string, ServiceSample>;
}

/** The prom-client default metrics the soak reads, by the field they fill. */
const METRICS = {
  rssBytes: 'process_resident_memory_bytes',
  heapUsedBytes: 'nodejs_heap_size_used_bytes',
  heapTotalBytes: 'nodejs_heap_size_total_bytes',
  externalBytes: 'nodejs_external_memory_bytes',
  handles: 'nodejs_active_handles_total',
  requests: 'nodejs_active_requests_total',
} as const;
type Field = keyof typeof METRICS;
/** Without these a sample is a gap; active requests and the rest are extra. */
const REQUIRED: readonly Field[] = ['rssBytes', 'heapUsedBytes', 'handles'];

/**
 * The process figures in a Prometheus text exposition. Each of these metrics has one series per
 * process (its only labels are the registry's defaults), so the first value seen is the value.
 */
export function parseProcessMetrics(text: string): Partial<Record<Field, number>> {
  const byName = new Map<string, Field>(
    Object.entries(METRICS).map(([field, name]) => [name, field as Field]),
  );
  const figures: Partial<Record<Field, number>> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const field = match?.[1] === undefined ? undefined : byName.get(match[1]);
    if (field === undefined || figures[field] !== undefined) continue;
    const value = Number(match?.[2]);
    if (Number.isFinite(value)) figures[field] = value;
  }
  return figures;
}

/**
 * Scrapes every service's `/metrics` on a fixed grid (every `intervalMs` from `t0`), one round at
 * a time. A service that does not answer, or answers without the figures, leaves a gap in its
 * series rather than stopping the soak.
 */
export class MetricsSampler {
  readonly samples: Sample[] = [];
  /** Stamped on each new sample; the caller moves it on when the load stops. */
  phase: Sample['phase'] = 'load';
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly last = new Map<string, string>();

  constructor(
    private readonly services: ServiceProcesses,
    private readonly names: readonly string[],
    private readonly intervalMs: number,
    private readonly t0: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in progress, if any. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** The newest sample, for progress lines. */
  latest(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  private async run(): Promise<void> {
    let next = this.t0;
    while (this.running) {
      await this.sampleOnce();
      // Keep to the grid; a round that overran skips the slots it missed rather than bunching up.
      next += this.intervalMs;
      while (next <= Date.now()) next += this.intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, next - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One round of scrapes now, off the grid: the last one, after settling. */
  async sampleOnce(): Promise<void> {
    const at = Date.now();
    const entries = await Promise.all(
      this.names.map(async (name) => [name, await this.scrape(name)] as const),
    );
    this.samples.push({
      at,
      t: (at - this.t0) / 1000,
      phase: this.phase,
      services: Object.fromEntries(entries),
    });
  }

  private async scrape(name: string): Promise<ServiceSample> {
    const incarnation = this.services.incarnationOf(name);
    const previous = this.last.get(name);
    this.last.set(name, incarnation);
    const sample: ServiceSample = {
      incarnation,
      ...(previous !== undefined && previous !== incarnation ? { restarted: true as const } : {}),
    };
    try {
      const response = await fetch(this.services.healthUrl(name, '/metrics'), {
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      if (response.status !== 200) return { ...sample, gap: `answered ${response.status}` };
      const figures = parseProcessMetrics(text);
      const missing = REQUIRED.filter((field) => figures[field] === undefined);
      return {
        ...sample,
        ...figures,
        ...(missing.length > 0
          ? { gap: `no ${missing.map((field) => METRICS[field]).join(', ')}` }
          : {}),
      };
    } catch (error) {
      return {
        ...sample,
        gap: `no answer (${error instanceof Error ? error.message : String(error)})`,
      };
    }
  }
}
