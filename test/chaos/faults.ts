import { Kafka, logLevel } from 'kafkajs';
import { STEP_RESULTS_TOPIC } from '@weft/core';
import type { ChaosInfra } from './chaos-infra';
import {
  assertNoDatabaseVariables,
  CUSTOM_WORKER_LEASE_MS,
  CUSTOM_WORKERS,
} from './custom-workers';
import type { WorkerFault } from './accountant';
import type { Load } from './load-client';
import type { ChaosReceiver } from './webhook-receiver';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcesses } from './service-processes';
import type { StepRate } from './step-rate';
import { customProbe, probe, STEP_TIMEOUT_S, type Workload } from './workloads';

/** The faults of a run against one broker. */
export const FAULTS = [
  'worker-sigkill',
  'orchestrator-sigkill',
  'gateway-sigkill',
  'webhooks-sigkill',
  'custom-worker-sigkill',
  'worker-sigstop',
  'kafka-restart',
  'database-restart',
] as const;

/** The faults of a run against a replicated cluster: its brokers fail one at a time. */
export const CLUSTER_FAULTS = [
  'worker-sigkill',
  'orchestrator-sigkill',
  'gateway-sigkill',
  'webhooks-sigkill',
  'custom-worker-sigkill',
  'worker-sigstop',
  'leader-sigkill',
  'broker-sigstop',
  'database-sigstop',
  'worker-partition',
] as const;

export type FaultName = (typeof FAULTS)[number] | (typeof CLUSTER_FAULTS)[number];

export interface FaultRecord {
  name: FaultName;
  /** ms since the load started. */
  startedAt: number;
  /** Epoch ms, to set beside the times findings give. */
  startedAtMs: number;
  /** How long the fault itself lasted: down time, or the SIGSTOP's length. */
  faultMs: number;
  /** What was done, e.g. `worker-1#1 SIGKILL with 3 steps in flight`. */
  detail: string;
  /** From the fault's end to the first run started afterwards completing; undefined: never. */
  recoveredMs?: number;
  /** From the fault's end to that run's webhook being accepted by the receiver. */
  webhookMs?: number;
  /** From the restart to the restarted service answering `/readyz` 200. */
  readyMs?: number;
  /** Steps a second the workers finished in the 10 s before, during the fault, and 10 s after. */
  stepsPerSecond?: { before?: number; during?: number; after?: number };
  error?: string;
}

/** How long the system gets to recover after a fault before it counts as not recovered. */
const RECOVERY_TIMEOUT_MS = 120_000;
/** Down time of the broker and the database. */
const INFRA_DOWN_MS = 4_000;
/** A SIGSTOP lasts past the step deadline and past the worker's Kafka session timeout. */
const STOP_MS = STEP_TIMEOUT_S * 1000 + 7_000;
/** A killed broker stays down this long: its partitions move to the other replicas meanwhile. */
const BROKER_DOWN_MS = 10_000;
/** A paused broker stays paused past its session with the controllers (9 s by default). */
const BROKER_STOP_MS = 15_000;
/** The database stall the issue asks for. */
const DATABASE_STOP_MS = 10_000;
/** A worker stays cut off past its Kafka session timeout (6 s here). */
const PARTITION_MS = 15_000;
/** The worker bootstrapped through the proxies, which `worker-partition` cuts off. */
export const PARTITIONED_WORKER = 'worker-2';
/** Around a fault, the windows steps a second are measured over. */
const RATE_WINDOW_MS = 10_000;

/**
 * Injects the faults in turn while the load runs, each at least once, measuring after each how
 * long until a run started after it completes.
 */
export class FaultScript {
  readonly records: FaultRecord[] = [];
  readonly workerFaults: WorkerFault[] = [];
  private killTurn = 0;
  private customKillTurn = 0;

  constructor(
    private readonly services: ServiceProcesses,
    private readonly infra: ChaosInfra,
    private readonly load: Load,
    private readonly receiver: ChaosReceiver,
    private readonly t0: number,
    private readonly log: (line: string) => void,
    private readonly faults: readonly FaultName[] = FAULTS,
    private readonly stepRate?: StepRate,
  ) {}

  /** Runs every fault once, then again while `until` (epoch ms) leaves time for another. */
  async run(until: number, gapMs: number): Promise<void> {
    for (let pass = 0; pass === 0 || Date.now() + 30_000 < until; pass++) {
      for (const name of this.faults) {
        if (pass > 0 && Date.now() + 30_000 > until) return;
        await this.inject(name);
        await sleep(gapMs);
      }
    }
  }

  private async inject(name: FaultName): Promise<void> {
    const startedAt = Date.now() - this.t0;
    const record: FaultRecord = {
      name,
      startedAt,
      startedAtMs: Date.now(),
      faultMs: 0,
      detail: '',
    };
    this.records.push(record);
    this.log(`fault ${name}: injecting`);
    let began = Date.now();
    // A fault that first waits for steps in flight begins when it strikes, not while it waits.
    const strike = () => {
      began = Date.now();
      record.startedAt = began - this.t0;
      record.startedAtMs = began;
    };
    let endedAt: number;
    // Recovery from a fault of the acme workers is a run of theirs completing.
    const probeWith = name === 'custom-worker-sigkill' ? customProbe : probe;
    try {
      let ready: Promise<number> | undefined;
      switch (name) {
        case 'worker-sigkill': {
          const worker = this.nextWorker();
          const inFlight = await this.waitForSteps(worker);
          const incarnation = this.services.incarnationOf(worker);
          strike();
          const at = Date.now();
          this.workerFaults.push({ incarnation, signal: 'SIGKILL', at, until: at });
          await this.services.kill(worker, 'SIGKILL');
          record.detail = `${incarnation} SIGKILL with ${inFlight} steps in flight`;
          ready = this.restart(worker);
          break;
        }
        case 'custom-worker-sigkill': {
          // Whichever acme worker first has steps in flight, starting with the next in turn.
          this.customKillTurn += 1;
          const turn = this.customKillTurn % CUSTOM_WORKERS.length;
          const order = [...CUSTOM_WORKERS.slice(turn), ...CUSTOM_WORKERS.slice(0, turn)];
          const { worker, inFlight } = await this.waitForStepsAmong(order);
          const incarnation = this.services.incarnationOf(worker);
          strike();
          const at = Date.now();
          this.workerFaults.push({ incarnation, signal: 'SIGKILL', at, until: at });
          await this.services.kill(worker, 'SIGKILL');
          record.detail = `${incarnation} (the example worker on @weft/worker) SIGKILL with ${inFlight} steps in flight, restart after 1 s (lease ${CUSTOM_WORKER_LEASE_MS} ms)`;
          ready = this.restart(worker).then((ms) => {
            // The restarted process too must have been given Kafka's variables only.
            try {
              assertNoDatabaseVariables(worker, this.services.pid(worker));
            } catch (error) {
              record.error = error instanceof Error ? error.message : String(error);
            }
            return ms;
          });
          break;
        }
        case 'orchestrator-sigkill':
        case 'gateway-sigkill':
        case 'webhooks-sigkill': {
          const service = name.slice(0, name.indexOf('-'));
          const incarnation = this.services.incarnationOf(service);
          await this.services.kill(service, 'SIGKILL');
          record.detail = `${incarnation} SIGKILL`;
          ready = this.restart(service);
          break;
        }
        case 'worker-sigstop': {
          const worker = this.nextWorker();
          const inFlight = await this.waitForSteps(worker);
          const incarnation = this.services.incarnationOf(worker);
          strike();
          const fault: WorkerFault = { incarnation, signal: 'SIGSTOP', at: Date.now(), until: 0 };
          this.services.pause(worker);
          await sleep(STOP_MS);
          this.services.resume(worker);
          fault.until = Date.now();
          this.workerFaults.push(fault);
          record.detail = `${incarnation} SIGSTOP for ${STOP_MS} ms (step timeout ${STEP_TIMEOUT_S} s) with ${inFlight} steps in flight, then SIGCONT`;
          break;
        }
        case 'kafka-restart': {
          await this.infra.stopKafka();
          const stopped = Date.now();
          await sleep(INFRA_DOWN_MS);
          await this.infra.startKafka();
          record.detail = `broker stopped in ${stopped - began} ms, down ${Date.now() - stopped} ms until it answered again`;
          break;
        }
        case 'database-restart': {
          await this.infra.stopDatabase();
          const stopped = Date.now();
          await sleep(INFRA_DOWN_MS);
          await this.infra.startDatabase();
          record.detail = `database stopped in ${stopped - began} ms, down ${Date.now() - stopped} ms until it answered again`;
          break;
        }
        case 'leader-sigkill': {
          const { nodeId, partitions } = await this.leaderOfStepResults();
          await this.infra.stopBroker(nodeId, 'SIGKILL');
          const killed = Date.now();
          await sleep(BROKER_DOWN_MS);
          await this.infra.startBroker(nodeId);
          record.detail = `broker ${nodeId} (leader of ${STEP_RESULTS_TOPIC}/0 and ${partitions - 1} more partitions) SIGKILL, down ${Date.now() - killed} ms until the cluster counted it again`;
          break;
        }
        case 'broker-sigstop': {
          const { nodeId, partitions } = await this.leaderOfStepResults();
          this.infra.pauseBroker(nodeId, true);
          await sleep(BROKER_STOP_MS);
          this.infra.pauseBroker(nodeId, false);
          record.detail = `broker ${nodeId} (leader of ${partitions} partitions) SIGSTOP for ${BROKER_STOP_MS} ms, then SIGCONT`;
          break;
        }
        case 'database-sigstop': {
          this.infra.pauseDatabase(true);
          await sleep(DATABASE_STOP_MS);
          this.infra.pauseDatabase(false);
          record.detail = `database SIGSTOP for ${DATABASE_STOP_MS} ms (connections kept, nothing answered), then SIGCONT`;
          break;
        }
        case 'worker-partition': {
          const inFlight = await this.waitForSteps(PARTITIONED_WORKER);
          const incarnation = this.services.incarnationOf(PARTITIONED_WORKER);
          strike();
          const fault: WorkerFault = { incarnation, signal: 'partition', at: Date.now(), until: 0 };
          this.infra.partitionProxied(true);
          await sleep(PARTITION_MS);
          this.infra.partitionProxied(false);
          fault.until = Date.now();
          this.workerFaults.push(fault);
          record.detail = `${incarnation} cut off from every broker for ${PARTITION_MS} ms (its database kept) with ${inFlight} steps in flight`;
          break;
        }
      }
      endedAt = Date.now();
      record.faultMs = endedAt - began;
      const [recovered, readyMs] = await Promise.all([
        this.measureRecovery(endedAt, probeWith),
        ready?.catch(() => undefined),
      ]);
      if (recovered?.completedMs !== undefined) record.recoveredMs = recovered.completedMs;
      if (recovered?.webhookMs !== undefined) record.webhookMs = recovered.webhookMs;
      if (readyMs !== undefined) record.readyMs = readyMs;
      if (this.stepRate) {
        // The window after the fault must have passed before it is measured.
        await sleep(Math.max(0, endedAt + RATE_WINDOW_MS + 1_000 - Date.now()));
        record.stepsPerSecond = windowRates(this.stepRate, {
          before: [began - RATE_WINDOW_MS, began],
          during: [began, endedAt],
          after: [endedAt, endedAt + RATE_WINDOW_MS],
        });
      }
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.log(
      `fault ${name}: ${record.detail}; ${record.error ? `FAILED: ${record.error}` : `recovered in ${seconds(record.recoveredMs)}, its webhook in ${seconds(record.webhookMs)}`}`,
    );
  }

  /** The broker leading partition 0 of the step results, and how many partitions it leads. */
  private async leaderOfStepResults(): Promise<{ nodeId: number; partitions: number }> {
    const admin = new Kafka({
      clientId: 'chaos-faults',
      brokers: this.infra.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata();
      const leaders = topics.flatMap((topic) =>
        topic.partitions.map((partition) => ({
          topic: topic.name,
          partition: partition.partitionId,
          leader: partition.leader,
        })),
      );
      const target = leaders.find(
        (each) => each.topic === STEP_RESULTS_TOPIC && each.partition === 0,
      );
      if (!target) throw new Error(`no partition 0 of ${STEP_RESULTS_TOPIC}`);
      return {
        nodeId: target.leader,
        partitions: leaders.filter((each) => each.leader === target.leader).length,
      };
    } finally {
      await admin.disconnect();
    }
  }

  private nextWorker(): string {
    this.killTurn += 1;
    return this.killTurn % 2 === 1 ? 'worker-1' : 'worker-2';
  }

  /** Restarts a killed service after a second, as a supervisor would; resolves when ready. */
  private async restart(name: string): Promise<number> {
    await sleep(1_000);
    this.services.start(name);
    return this.services.waitReady(name, RECOVERY_TIMEOUT_MS);
  }

  /**
   * Waits (up to 15 s) until `worker` has steps in flight, so the fault lands mid-step; first until
   * it runs at all, should it be restarting after a crash of its own.
   */
  private async waitForSteps(worker: string): Promise<number> {
    return (await this.waitForStepsAmong([worker])).inFlight;
  }

  /**
   * The first of `workers` seen with steps in flight (up to 15 s; then the first of them, with
   * none), and how many; first waits until they run at all.
   */
  private async waitForStepsAmong(
    workers: readonly string[],
  ): Promise<{ worker: string; inFlight: number }> {
    const first = workers[0];
    if (first === undefined) throw new Error('no worker to wait for');
    const running = Date.now() + 30_000;
    while (
      workers.some((worker) => this.services.pid(worker) === undefined) &&
      Date.now() < running
    ) {
      await sleep(200);
    }
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      for (const worker of workers) {
        const inFlight = await this.inFlight(worker);
        if (inFlight > 0) return { worker, inFlight };
      }
      await sleep(50);
    }
    return { worker: first, inFlight: 0 };
  }

  /** `weft_worker_in_flight` of `worker`; 0 when it does not answer. */
  private async inFlight(worker: string): Promise<number> {
    try {
      const response = await fetch(this.services.healthUrl(worker, '/metrics'), {
        signal: AbortSignal.timeout(2_000),
      });
      const text = await response.text();
      const line = text.split('\n').find((l) => l.startsWith('weft_worker_in_flight{'));
      return Number(line?.split(' ').pop() ?? '0');
    } catch {
      return 0;
    }
  }

  /**
   * Probes every second from the fault's end until one completes; ms until then, and until that
   * probe's webhook was accepted by the receiver.
   */
  private async measureRecovery(
    endedAt: number,
    probeWith: (x: number) => Workload,
  ): Promise<{ completedMs?: number; webhookMs?: number }> {
    const deadline = endedAt + RECOVERY_TIMEOUT_MS;
    let first: { runId: string; at: number } | undefined;
    while (first === undefined && Date.now() < deadline) {
      const probing = this.load.probeRun(deadline - Date.now(), probeWith).then((outcome) => {
        if (outcome?.status === 'completed' && (first === undefined || outcome.at < first.at)) {
          first = outcome;
        }
      });
      await Promise.race([probing, sleep(1_000)]);
    }
    if (first === undefined) return {};
    const runId = first.runId;
    while (Date.now() < deadline) {
      const webhook = this.receiver.received.find(
        (w) => w.runId === runId && w.path === '/endpoint' && w.answered < 300,
      );
      if (webhook) return { completedMs: first.at - endedAt, webhookMs: webhook.at - endedAt };
      await sleep(100);
    }
    return { completedMs: first.at - endedAt };
  }
}

/** Steps a second in each window, to a tenth; a window without samples is left out. */
function windowRates<K extends string>(
  stepRate: StepRate,
  windows: Record<K, [number, number]>,
): Partial<Record<K, number>> {
  const rates: Partial<Record<K, number>> = {};
  for (const [name, [from, to]] of Object.entries(windows) as [K, [number, number]][]) {
    const rate = stepRate.rate(from, to);
    if (rate !== undefined) rates[name] = Math.round(rate * 10) / 10;
  }
  return rates;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}
