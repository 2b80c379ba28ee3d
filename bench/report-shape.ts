// The one result shape every load harness returns (Weft, the floor, the peers), so a single run
// can print them side by side and divide one by another. Plain data only: it goes to JSON as is.

/** The workloads every system runs: the graphs and step bodies bench/weft-target.ts gives Weft. */
export interface Workload {
  name: string;
  /** `chain`: `size` steps one after another; `fan`: one step, `size` in parallel, one after. */
  shape: 'chain' | 'fan';
  size: number;
  /** What each step does: sleep this long (0: return at once). */
  stepMs: number;
  /** Steps a run executes. */
  steps: number;
}

export const WORKLOADS: readonly Workload[] = [
  { name: '1 node, 0 ms', shape: 'chain', size: 1, stepMs: 0, steps: 1 },
  { name: '10-node chain, 0 ms', shape: 'chain', size: 10, stepMs: 0, steps: 10 },
  { name: '10-node chain, 50 ms', shape: 'chain', size: 10, stepMs: 50, steps: 10 },
  { name: '1→50→1, 0 ms', shape: 'fan', size: 50, stepMs: 0, steps: 52 },
];

/** Milliseconds; null when there were no samples. */
export interface Percentiles {
  p50: number | null;
  p99: number | null;
  p999: number | null;
}

/** One workload at one offered rate. */
export interface ResultRow {
  workload: string;
  /** Offered runs a second, open loop. */
  rate: number;
  /** Why this rate: a rung of the ladder that looks for the knee, or a fraction of the knee. */
  phase: 'ladder' | '50% of knee' | '80% of knee';
  sent: number;
  completed: number;
  /** The rate runs ended at: runs completed after the first, over the first end to the last. */
  runsPerSecond: number;
  stepsPerSecond: number;
  /** From the moment a run was due to be submitted to the moment the system recorded its end. */
  endToEndMs: Percentiles;
  /** Previous step finished → next step started, along chains; null where not measured. */
  stepOverheadMs: Percentiles | null;
  notes: string[];
  /** Weft only: submission → 202, from when it was due. */
  acceptMs?: Percentiles;
  /** Weft only: run accepted (created) → its first step running. */
  firstStepMs?: Percentiles;
  /** CPU (% of one core) and peak memory of each process while the rate was offered. */
  usage?: { name: string; cpuPercent: number; peakRssMb: number }[];
  /** Weft only: what each completed step cost each process while the rate was offered. */
  costs?: StepCost[];
}

/** One process's share of a completed step: its CPU and, for Weft's services, its I/O requests. */
export interface StepCost {
  name: string;
  cpuMsPerStep: number;
  /** Database commands the process sent (Weft's services only). */
  databaseCommandsPerStep?: number;
  /** Requests the process sent to Kafka brokers (Weft's services only). */
  kafkaRequestsPerStep?: number;
}

/** Everything one system's harness measured. */
export interface SystemResult {
  system: string;
  machine: string;
  rows: ResultRow[];
  /** Per workload: the highest offered rate it kept up with (null: not even the lowest). */
  knees: { workload: string; runsPerSecond: number | null; reached: boolean }[];
  notes: string[];
}
