// `npm run bench -- --history N`: the system's database holds N ended runs before the ladder, with
// everything a run leaves behind: its document (its attempts' leases are in it) and a delivered
// webhook.
// The knees with history are set beside the knees of an empty database: history must not slow
// the present (each periodic query reads live data only; each hot one goes by _id).
import type { Document } from 'mongodb';
import { planOf } from './weft-target';
import type { Workload } from './report-shape';
import type { WeftSystem } from './weft-system';

/** The runs preloaded when `--history` names no count. */
export const DEFAULT_HISTORY_RUNS = 200_000;

/** What the preloaded runs are copies of: a real 10-node chain. */
const TEMPLATE_WORKLOAD: Workload = {
  name: 'history template',
  shape: 'chain',
  size: 10,
  stepMs: 0,
  steps: 10,
};

const BATCH = 1_000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Runs one real 10-node chain, then inserts `count` copies of its document as ended runs of the
 * last day, each with one delivered webhook; `log` hears the progress.
 */
export async function preloadHistory(
  system: WeftSystem,
  count: number,
  log: (line: string) => void,
): Promise<void> {
  const db = system.connection.db;
  if (!db) throw new Error('the bench database connection is not open');
  const template = await realRun(system);
  const runs = db.collection<Document>('runs');
  const deliveries = db.collection<Document>('webhook_deliveries');
  const startedAt = Date.now();
  const now = Date.now();
  for (let first = 0; first < count; first += BATCH) {
    const batch: { run: Document; delivery: Document }[] = [];
    for (let i = first; i < Math.min(count, first + BATCH); i++) {
      const runId = `run_history${String(i).padStart(9, '0')}`;
      // Spread over the last 23 hours.
      const endedAt = now - Math.floor(((count - i) / count) * (DAY_MS - 3_600_000));
      batch.push({
        run: {
          ...template,
          _id: runId,
          createdAt: endedAt - 100,
          startedAt: endedAt - 90,
          finishedAt: endedAt,
          updatedAt: endedAt,
        },
        delivery: {
          _id: `whd_history${String(i).padStart(13, '0')}`,
          appId: template.appId as string,
          runId,
          event: 'run.completed',
          messageId: `msg_history${String(i).padStart(16, '0')}`,
          url: 'https://receiver.example/hooks/weft',
          status: 'delivered',
          attempts: [{ at: endedAt + 5, durationMs: 40, status: 200 }],
          body: JSON.stringify({ type: 'run.completed', data: { runId, status: 'completed' } }),
          createdAt: endedAt + 1,
          updatedAt: endedAt + 45,
        },
      });
    }
    await Promise.all([
      runs.insertMany(batch.map((entry) => entry.run)),
      deliveries.insertMany(batch.map((entry) => entry.delivery)),
    ]);
    if ((first / BATCH) % 20 === 19) {
      log(`history: ${first + BATCH} of ${count} ended runs written`);
    }
  }
  log(
    `history: ${count} ended runs and ${count} deliveries ` +
      `written in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  );
}

/** A completed run of the template workload, as the engine stored it, without live fields. */
async function realRun(system: WeftSystem): Promise<Document> {
  const response = await fetch(`${system.url}/v1/workflows/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': system.apiKey },
    body: JSON.stringify({ plan: planOf(TEMPLATE_WORKLOAD) }),
  });
  const { runId } = (await response.json()) as { runId?: string };
  if (response.status !== 202 || !runId) throw new Error(`history template: ${response.status}`);
  const runs = system.connection.collection<Document>('runs');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const run = await runs.findOne({ _id: runId as never });
    if (run?.status === 'completed') {
      const { _id, outbox: _outbox, outboxAt: _outboxAt, timerAt: _timerAt, ...rest } = run;
      return rest;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`history template: run ${runId} did not complete within 60 s`);
}
