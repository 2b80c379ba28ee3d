// Weft as a load target of the open-loop driver: a run is a POST /v1/workflows/run of an inline
// plan; its times are the ones every hop recorded on the run document. Beyond what every system
// reports, Weft's rows carry the accept latency, accepted → first step running, and CPU and
// memory of every process (its services, the broker and the database).
import { performance } from 'node:perf_hooks';
import { percentiles, type LoadTarget, type RunRecord, type Submitted } from './open-loop';
import type { ResultRow, StepCost, Workload } from './report-shape';
import {
  watchProcesses,
  type ProcessUsage,
  type ServiceCounters,
  type WeftSystem,
} from './weft-system';

interface RunDocument {
  _id: string;
  createdAt: number;
  finishedAt?: number;
  status: string;
  nodes: Record<string, { startedAt?: number; finishedAt?: number }>;
}

const TERMINAL = ['completed', 'failed', 'cancelled', 'timed_out'];

/** The workflow a workload describes, in Weft's canonical form. */
export function planOf(workload: Workload): unknown {
  const step = () =>
    workload.stepMs > 0
      ? { task: 'core/delay', inputs: { ms: workload.stepMs } }
      : { task: 'core/transform', inputs: { value: 1 } };
  const nodes: Record<string, unknown> = {};
  const edges: { from: string; to: string }[] = [];
  if (workload.shape === 'chain') {
    for (let i = 0; i < workload.size; i++) {
      nodes[`s${i}`] = step();
      if (i > 0) edges.push({ from: `s${i - 1}`, to: `s${i}` });
    }
  } else {
    nodes.start = step();
    nodes.end = step();
    for (let i = 0; i < workload.size; i++) {
      nodes[`w${i}`] = step();
      edges.push({ from: 'start', to: `w${i}` }, { from: `w${i}`, to: 'end' });
    }
  }
  return { name: workload.name, dag: { nodes, edges } };
}

export class WeftTarget implements LoadTarget<string> {
  private readonly bodies = new Map<string, string>();
  private accepts: number[] = [];
  private usage?: ReturnType<typeof watchProcesses>;
  private countersAtBegin?: Promise<Map<string, ServiceCounters>>;

  constructor(private readonly system: WeftSystem) {}

  begin(): void {
    this.accepts = [];
    this.usage = watchProcesses(() => this.system.processes());
    this.countersAtBegin = this.system.counters();
  }

  async submit(workload: Workload): Promise<string> {
    let body = this.bodies.get(workload.name);
    if (!body) {
      body = JSON.stringify({ plan: planOf(workload) });
      this.bodies.set(workload.name, body);
    }
    const sentAt = performance.now();
    const response = await fetch(`${this.system.url}/v1/workflows/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.system.apiKey },
      body,
    });
    const json = (await response.json()) as { runId?: string; error?: { code?: string } };
    if (response.status !== 202 || !json.runId) {
      throw new Error(`${response.status} ${json.error?.code ?? ''}`.trim());
    }
    this.accepts.push(performance.now() - sentAt);
    return json.runId;
  }

  async collect(
    workload: Workload,
    runs: Submitted<string>[],
    deadline: number,
  ): Promise<RunRecord[]> {
    const documents = await this.waitForEnds(runs, deadline);
    return runs.map(({ key, dueAt }) => {
      const run = documents.get(key);
      if (!run || !TERMINAL.includes(run.status) || run.finishedAt === undefined) return { dueAt };
      const chain =
        workload.shape === 'chain'
          ? Array.from({ length: workload.size }, (_, i) => run.nodes[`s${i}`]).flatMap((node) =>
              node?.startedAt !== undefined && node.finishedAt !== undefined
                ? [{ startedAt: node.startedAt, finishedAt: node.finishedAt }]
                : [],
            )
          : undefined;
      return { dueAt, finishedAt: run.finishedAt, ...(chain ? { chain } : {}) };
    });
  }

  async extras(workload: Workload, runs: Submitted<string>[]): Promise<Partial<ResultRow>> {
    const usage = this.usage?.stop() ?? [];
    const before = (await this.countersAtBegin) ?? new Map<string, ServiceCounters>();
    const after = await this.system.counters();
    const documents = await this.read(runs.map((run) => run.key));
    const ended = [...documents.values()].filter((run) => TERMINAL.includes(run.status)).length;
    const firstStep: number[] = [];
    for (const run of documents.values()) {
      const starts = Object.values(run.nodes).flatMap((node) =>
        node.startedAt === undefined ? [] : [node.startedAt],
      );
      if (starts.length > 0) firstStep.push(Math.min(...starts) - run.createdAt);
    }
    return {
      acceptMs: percentiles(this.accepts),
      firstStepMs: percentiles(firstStep),
      usage,
      costs: stepCosts(usage, before, after, ended * workload.steps),
    };
  }

  private async waitForEnds(
    runs: Submitted<string>[],
    deadline: number,
  ): Promise<Map<string, RunDocument>> {
    const ids = runs.map((run) => run.key);
    const runsCollection = this.system.connection.collection<RunDocument>('runs');
    while (Date.now() < deadline) {
      // By _id alone, as the engine's own reads: the harness must not scan a history it loaded.
      let ended = 0;
      for (let i = 0; i < ids.length; i += 1_000) {
        const page = await runsCollection
          .find({ _id: { $in: ids.slice(i, i + 1_000) } }, { projection: { status: 1 } })
          .toArray();
        ended += page.filter((run) => TERMINAL.includes(run.status)).length;
      }
      if (ended === ids.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return this.read(ids);
  }

  private async read(ids: string[]): Promise<Map<string, RunDocument>> {
    const runs = this.system.connection.collection<RunDocument>('runs');
    const found = new Map<string, RunDocument>();
    for (let i = 0; i < ids.length; i += 1_000) {
      const page = await runs
        .find(
          { _id: { $in: ids.slice(i, i + 1_000) } },
          { projection: { createdAt: 1, finishedAt: 1, status: 1, nodes: 1 } },
        )
        .toArray();
      for (const run of page) found.set(run._id, run);
    }
    return found;
  }
}

/**
 * What each process spent per completed step over the window: CPU for every process, and the
 * database commands and Kafka requests of Weft's own services (from their metrics).
 */
function stepCosts(
  usage: ProcessUsage[],
  before: Map<string, ServiceCounters>,
  after: Map<string, ServiceCounters>,
  steps: number,
): StepCost[] {
  if (steps === 0) return [];
  const per = (value: number) => Math.round((value / steps) * 1000) / 1000;
  const delta = (name: string, counter: keyof ServiceCounters) => {
    const start = before.get(name)?.[counter];
    const end = after.get(name)?.[counter];
    return start === undefined || end === undefined ? undefined : per(end - start);
  };
  return usage.map(({ name, cpuMs }) => {
    const databaseCommandsPerStep = delta(name, 'databaseCommands');
    const kafkaRequestsPerStep = delta(name, 'kafkaRequests');
    return {
      name,
      cpuMsPerStep: per(cpuMs),
      ...(databaseCommandsPerStep === undefined ? {} : { databaseCommandsPerStep }),
      ...(kafkaRequestsPerStep === undefined ? {} : { kafkaRequestsPerStep }),
    };
  });
}
