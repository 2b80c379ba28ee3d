import type { ChaosInfra } from './chaos-infra';
import type { WorkerFault } from './accountant';
import type { Load } from './load-client';
import type { ChaosReceiver } from './webhook-receiver';
import { sleep, type ServiceProcesses } from './service-processes';
import { STEP_TIMEOUT_S } from './workloads';

export const FAULTS = [
  'worker-sigkill',
  'orchestrator-sigkill',
  'gateway-sigkill',
  'webhooks-sigkill',
  'worker-sigstop',
  'kafka-restart',
  'database-restart',
] as const;
export type FaultName = (typeof FAULTS)[number];

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
  error?: string;
}

/** How long the system gets to recover after a fault before it counts as not recovered. */
const RECOVERY_TIMEOUT_MS = 120_000;
/** Down time of the broker and the database. */
const INFRA_DOWN_MS = 4_000;
/** A SIGSTOP lasts past the step deadline and past the worker's Kafka session timeout. */
const STOP_MS = STEP_TIMEOUT_S * 1000 + 7_000;

/**
 * Injects the faults in turn while the load runs, each at least once, measuring after each how
 * long until a run started after it completes.
 */
export class FaultScript {
  readonly records: FaultRecord[] = [];
  readonly workerFaults: WorkerFault[] = [];
  private killTurn = 0;

  constructor(
    private readonly services: ServiceProcesses,
    private readonly infra: ChaosInfra,
    private readonly load: Load,
    private readonly receiver: ChaosReceiver,
    private readonly t0: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs every fault once, then again while `until` (epoch ms) leaves time for another. */
  async run(until: number, gapMs: number): Promise<void> {
    for (let pass = 0; pass === 0 || Date.now() + 30_000 < until; pass++) {
      for (const name of FAULTS) {
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
    const began = Date.now();
    let endedAt: number;
    try {
      let ready: Promise<number> | undefined;
      switch (name) {
        case 'worker-sigkill': {
          const worker = this.nextWorker();
          const inFlight = await this.waitForSteps(worker);
          const incarnation = this.services.incarnationOf(worker);
          const at = Date.now();
          this.workerFaults.push({ incarnation, signal: 'SIGKILL', at, until: at });
          await this.services.kill(worker, 'SIGKILL');
          record.detail = `${incarnation} SIGKILL with ${inFlight} steps in flight`;
          ready = this.restart(worker);
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
      }
      endedAt = Date.now();
      record.faultMs = endedAt - began;
      const [recovered, readyMs] = await Promise.all([
        this.measureRecovery(endedAt),
        ready?.catch(() => undefined),
      ]);
      if (recovered?.completedMs !== undefined) record.recoveredMs = recovered.completedMs;
      if (recovered?.webhookMs !== undefined) record.webhookMs = recovered.webhookMs;
      if (readyMs !== undefined) record.readyMs = readyMs;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.log(
      `fault ${name}: ${record.detail}; ${record.error ? `FAILED: ${record.error}` : `recovered in ${seconds(record.recoveredMs)}, its webhook in ${seconds(record.webhookMs)}`}`,
    );
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
    const running = Date.now() + 30_000;
    while (this.services.pid(worker) === undefined && Date.now() < running) await sleep(200);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(this.services.healthUrl(worker, '/metrics'), {
          signal: AbortSignal.timeout(2_000),
        });
        const text = await response.text();
        const line = text.split('\n').find((l) => l.startsWith('weft_worker_in_flight{'));
        const inFlight = Number(line?.split(' ').pop() ?? '0');
        if (inFlight > 0) return inFlight;
      } catch {
        // Not answering: try again.
      }
      await sleep(50);
    }
    return 0;
  }

  /**
   * Probes every second from the fault's end until one completes; ms until then, and until that
   * probe's webhook was accepted by the receiver.
   */
  private async measureRecovery(
    endedAt: number,
  ): Promise<{ completedMs?: number; webhookMs?: number }> {
    const deadline = endedAt + RECOVERY_TIMEOUT_MS;
    let first: { runId: string; at: number } | undefined;
    while (first === undefined && Date.now() < deadline) {
      const probe = this.load.probeRun(deadline - Date.now()).then((outcome) => {
        if (outcome?.status === 'completed' && (first === undefined || outcome.at < first.at)) {
          first = outcome;
        }
      });
      await Promise.race([probe, sleep(1_000)]);
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

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}
