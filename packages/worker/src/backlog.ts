// The backlog: how many steps a worker runs at once, which wait for a slot, and when it stops
// taking more from its consumers.

/** Where steps come from: paused while the backlog is full, resumed once it has room. */
export interface Intake {
  pause(): void;
  resume(): void;
}

/**
 * The steps a worker has taken and not finished: up to `concurrency` running, and as many again
 * waiting for a slot, so a step that ends starts the next at once instead of waiting for a paused
 * consumer's next fetch. Full, it pauses its intake instead of blocking it, so a step that takes
 * minutes never stops a consumer's heartbeats nor causes a rebalance.
 */
export class Backlog<Step> {
  private readonly steps = new Set<Step>();
  private readonly waiting: { step: Step; start: () => void }[] = [];
  private paused = false;
  private closed = false;
  private idle?: () => void;

  constructor(
    /** Steps run at once. */
    private readonly concurrency: number,
    private readonly intake: Intake,
    /** Told how many steps run, each time that changes. */
    private readonly counted: (running: number) => void = () => undefined,
  ) {}

  /** The steps running now. */
  get running(): ReadonlySet<Step> {
    return this.steps;
  }

  /** Every step taken and not ended: running, then waiting for a slot in order. */
  *takenSteps(): Generator<Step> {
    yield* this.steps;
    for (const { step } of this.waiting) yield step;
  }

  /**
   * Takes a step: `start` is called now if a slot is free, or once one is. The step holds its slot
   * until `end`. Pauses the intake once twice `concurrency` are taken.
   */
  take(step: Step, start: () => void): void {
    if (this.steps.size < this.concurrency) this.begin(step, start);
    else this.waiting.push({ step, start });
    if (this.taken() >= this.concurrency * 2) this.pause();
  }

  /** Frees a step's slot for the next waiting one, and resumes the intake once there is room. */
  end(step: Step): void {
    this.steps.delete(step);
    this.counted(this.steps.size);
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.begin(next.step, next.start);
    if (this.steps.size === 0) this.idle?.();
    if (this.paused && !this.closed && this.taken() < this.concurrency * 2) this.resume();
  }

  /** Pauses the intake for good and starts nothing more; returns the steps that never started. */
  close(): Step[] {
    this.closed = true;
    this.pause();
    return this.waiting.splice(0).map((waiting) => waiting.step);
  }

  /** Resolves once no step is running. */
  whenIdle(): Promise<void> {
    if (this.steps.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }

  /** Steps taken and not finished: running, or waiting for a slot. */
  private taken(): number {
    return this.steps.size + this.waiting.length;
  }

  private begin(step: Step, start: () => void): void {
    this.steps.add(step);
    this.counted(this.steps.size);
    start();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.intake.pause();
  }

  private resume(): void {
    this.paused = false;
    this.intake.resume();
  }
}
