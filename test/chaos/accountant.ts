import { isDeepStrictEqual } from 'node:util';
import type { Db } from 'mongodb';
import type { Submission } from './load-client';
import type { ReceivedWebhook } from './webhook-receiver';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CANCEL_DELAY_MS,
  CUSTOM_STEP_TYPES,
  nodesOfTypes,
  customWords,
  DOOMED_MAX_ATTEMPTS,
  FANOUT_BRANCHES,
  FLAKY_FAIL_ATTEMPTS,
} from './workloads';

const TERMINAL = ['completed', 'failed', 'cancelled', 'timed_out'];
/**
 * The errors an attempt may have ended with when a fault, not the workload, caused another: its
 * deadline passed, its worker was lost (killed, stopped past its lease), or its worker handed it
 * back while stopping.
 */
const FAULT_ERRORS: ReadonlySet<string | undefined> = new Set([
  'step_timeout',
  'worker_lost',
  'worker_stopping',
]);

/** A node of a run document, its JSON-text fields parsed. */
export interface RunNode {
  status: string;
  attempt: number;
  /** Attempts outside the retry budget before this one (lost with their worker, handed back). */
  attemptBase?: number;
  /** Attempts given up as `worker_lost`: their worker's lease ran out. */
  lost?: number;
  workerId?: string;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface RunDoc {
  id: string;
  status: string;
  idempotencyKey?: string;
  webhookUrl?: string;
  error?: { code: string; nodeId?: string };
  nodes: Record<string, RunNode>;
  outboxCount: number;
}

/**
 * One execution of an attempt: a request the fake OpenAI received, or an attempt's end in a
 * worker's log.
 */
export interface Execution {
  /** `runId:nodeId:attempt`, the Idempotency-Key of the attempt. */
  key: string;
  /** `worker-1#2`: which process (slot and incarnation) ran it. */
  sender: string;
  at: number;
}

/** A signal this program sent to a worker process, or a worker's own crash. */
export interface WorkerFault {
  incarnation: string;
  /** `partition`: cut off from every broker, still running. */
  signal: 'SIGKILL' | 'SIGSTOP' | 'crash' | 'partition';
  at: number;
  /** When the process ran again: `at` for a SIGKILL, the SIGCONT for a SIGSTOP, the heal of a partition. */
  until: number;
}

export interface Finding {
  runId?: string;
  what: string;
}

export interface Account {
  accepted: number;
  completed: number;
  failedAsExpected: number;
  cancelled: number;
  /** Cancel runs that ended before the cancel took: completed. */
  completedBeforeCancel: number;
  probes: number;
  notAccepted: number;
  lost: Finding[];
  duplicated: Finding[];
  wrong: Finding[];
  undelivered: Finding[];
  /** Facts worth knowing that break no invariant. */
  notes: string[];
  /** Step attempts the workers logged ending, of every task. */
  attemptsRun: number;
  providerRequests: number;
  providerRepeatsAfterCrash: number;
  extraAttemptsAfterTimeouts: number;
  /** Attempts of accepted runs given up as `worker_lost` (the `lost` of their nodes). */
  attemptsLostWithWorker: number;
  /** Of those, the attempts of nodes of CUSTOM_STEP_TYPES: lost with an acme worker. */
  attemptsLostWithCustomWorker: number;
  webhookRequests: number;
  webhookIds: number;
  deliveryRetries: number;
  /** Attempts the workers' logs show ending more than once, and how many a fault explains. */
  repeatedExecutions: number;
  repeatedExecutionsExplained: number;
  /** Of the unexplained repeats: the message was in the topic more than once / only once. */
  repeatedPublishedTwice: number;
  repeatedDeliveredTwice: number;
  /** Attempts whose `step.execute` is in the topic more than once. */
  attemptsPublishedTwice: number;
  /** Evidence: a few of the repeats no fault explains. */
  repeatedExecutionSamples: string[];
}

export function parseRun(document: Record<string, unknown>): RunDoc {
  const nodes: Record<string, RunNode> = {};
  for (const [id, raw] of Object.entries(
    (document.nodes ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    nodes[id] = {
      status: raw.status as string,
      attempt: raw.attempt as number,
      ...(typeof raw.attemptBase === 'number' ? { attemptBase: raw.attemptBase } : {}),
      ...(typeof raw.lost === 'number' ? { lost: raw.lost } : {}),
      ...(typeof raw.workerId === 'string' ? { workerId: raw.workerId } : {}),
      ...(typeof raw.result === 'string' ? { result: JSON.parse(raw.result) as unknown } : {}),
      ...(raw.error ? { error: raw.error as RunNode['error'] } : {}),
    };
  }
  return {
    id: document._id as string,
    status: document.status as string,
    ...(typeof document.idempotencyKey === 'string'
      ? { idempotencyKey: document.idempotencyKey }
      : {}),
    ...(typeof document.webhookUrl === 'string' ? { webhookUrl: document.webhookUrl } : {}),
    ...(document.error ? { error: document.error as RunDoc['error'] } : {}),
    nodes,
    outboxCount: Object.keys(document.outbox ?? {}).length,
  };
}

/** Reads runs by id, in batches. */
export async function readRuns(db: Db, ids: string[]): Promise<Map<string, RunDoc>> {
  const runs = new Map<string, RunDoc>();
  for (let i = 0; i < ids.length; i += 300) {
    const batch = ids.slice(i, i + 300);
    const documents = await db
      .collection<Record<string, unknown>>('runs')
      .find({ _id: { $in: batch } } as never)
      .toArray();
    for (const document of documents) {
      const run = parseRun(document);
      runs.set(run.id, run);
    }
  }
  return runs;
}

/**
 * Waits (bounded) until every run in `ids` is terminal; returns how many are not. Database errors
 * are waited out.
 */
export async function waitUntilTerminal(
  db: Db,
  ids: string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let waiting = ids;
  let lastLog = 0;
  while (Date.now() < deadline) {
    try {
      // Only the runs not seen ended yet are read again: an ended run stays ended.
      const runs = await readRuns(db, waiting);
      waiting = waiting.filter((id) => !TERMINAL.includes(runs.get(id)?.status ?? ''));
      const open = waiting.length;
      if (open === 0) return 0;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`settling: ${open} of ${ids.length} accepted runs not ended yet`);
      }
    } catch (error) {
      log(`settling: the database did not answer (${String(error)})`);
    }
    await sleep(1_000);
  }
  return waiting.length;
}

/** Waits (bounded) until no delivery of these runs is pending or in flight. */
export async function waitForDeliveries(
  db: Db,
  ids: string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let open = 0;
  let lastLog = 0;
  // A run can end before its end event is published (its outbox waits for the sweeper after a
  // database restart), and the event reaches the webhooks service a moment after that: quiet
  // means no outbox and no open delivery, twice in a row.
  let quiet = 0;
  while (Date.now() < deadline) {
    // Live data only, by the sparse fields the engine keeps for it (a delivery has `dueAt` while
    // pending or delivering, a run `outboxAt` while its outbox holds anything): a query over
    // every run is a scan on mongo-java-server, and tens of thousands of them stall a soak's end.
    const mine = new Set(ids);
    const deliveries = await db
      .collection<{ runId: string }>('webhook_deliveries')
      .find({ dueAt: { $exists: true } }, { projection: { runId: 1 } })
      .toArray();
    open = deliveries.filter((delivery) => mine.has(delivery.runId)).length;
    const outboxes = await db
      .collection<{ _id: string }>('runs')
      .find({ outboxAt: { $exists: true } }, { projection: { _id: 1 } })
      .toArray();
    const unpublished = outboxes.filter((run) => mine.has(run._id)).length;
    if (open === 0 && unpublished === 0 && ++quiet >= 2) return 0;
    if (open > 0 || unpublished > 0) quiet = 0;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`settling: ${open} webhook deliveries pending, ${unpublished} runs with an outbox`);
    }
    await sleep(2_000);
  }
  return open;
}

/**
 * Checks, from the client's own record of every 2xx, that each accepted run ended as it must,
 * exactly once in effect: no run lost, none duplicated, no side effect repeated within an attempt
 * unless the worker making it crashed, and one `webhook-id` per run event, delivered.
 */
export async function account(input: {
  submissions: Submission[];
  db: Db;
  providerCalls: Execution[];
  /** Every attempt's end as the workers logged it, whatever its task. */
  executions: Execution[];
  /** How many `step.execute` messages each attempt has in the step topics. */
  publishedCopies: Map<string, number>;
  workerFaults: WorkerFault[];
  received: ReceivedWebhook[];
}): Promise<Account> {
  const { submissions, db } = input;
  const accepted = submissions.filter((s) => s.outcome === 'accepted' && s.runId);
  const result: Account = {
    accepted: accepted.length,
    completed: 0,
    failedAsExpected: 0,
    cancelled: 0,
    completedBeforeCancel: 0,
    probes: 0,
    notAccepted: submissions.length - accepted.length,
    lost: [],
    duplicated: [],
    wrong: [],
    undelivered: [],
    notes: [],
    attemptsRun: input.executions.length,
    providerRequests: input.providerCalls.length,
    providerRepeatsAfterCrash: 0,
    extraAttemptsAfterTimeouts: 0,
    attemptsLostWithWorker: 0,
    attemptsLostWithCustomWorker: 0,
    webhookRequests: input.received.length,
    webhookIds: new Set(input.received.map((r) => r.webhookId)).size,
    deliveryRetries: 0,
    repeatedExecutions: 0,
    repeatedExecutionsExplained: 0,
    repeatedPublishedTwice: 0,
    repeatedDeliveredTwice: 0,
    attemptsPublishedTwice: [...input.publishedCopies.values()].filter((n) => n > 1).length,
    repeatedExecutionSamples: [],
  };

  // What the client was not given a 2xx for is not owed; say what happened to it.
  const gaveUp = submissions.filter((s) => s.outcome === 'gave-up');
  const rejected = submissions.filter((s) => s.outcome === 'rejected');
  if (gaveUp.length > 0) {
    result.notes.push(
      `${gaveUp.length} submissions never got an answer within their deadline (not owed): ${gaveUp[0]?.detail ?? ''}`,
    );
  }
  for (const s of rejected) {
    result.wrong.push({
      what: `submission ${s.key} (${s.workload.variant}) rejected: ${s.detail ?? ''}`,
    });
  }

  // Every Idempotency-Key made at most one run, and the run the client was told of.
  const byKey = new Map<string, string[]>();
  const all = await db
    .collection<Record<string, unknown>>('runs')
    .find({}, { projection: { _id: 1, idempotencyKey: 1 } })
    .toArray();
  for (const document of all) {
    const key = document.idempotencyKey as string | undefined;
    if (key === undefined) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), String(document._id)]);
  }
  for (const [key, ids] of byKey) {
    if (ids.length > 1) {
      result.duplicated.push({
        what: `Idempotency-Key ${key} made ${ids.length} runs: ${ids.join(', ')}`,
      });
    }
  }
  const clientKeys = new Set(submissions.map((s) => s.key));
  const orphans = [...byKey.keys()].filter((key) => !clientKeys.has(key));
  if (orphans.length > 0)
    result.notes.push(`${orphans.length} runs with keys this client never sent`);

  const runs = await readRuns(
    db,
    accepted.map((s) => s.runId as string),
  );
  const deliveries = await readDeliveries(
    db,
    accepted.map((s) => s.runId as string),
  );
  const calls = groupCalls(input.providerCalls);
  const webhooks = groupWebhooks(input.received);

  for (const submission of accepted) {
    const runId = submission.runId as string;
    const run = runs.get(runId);
    if (!run) {
      result.lost.push({
        runId,
        what: `accepted (${submission.workload.variant}) but no run document`,
      });
      continue;
    }
    if (run.idempotencyKey !== submission.key) {
      result.wrong.push({
        runId,
        what: `run's Idempotency-Key ${run.idempotencyKey ?? '-'} is not ${submission.key}`,
      });
    }
    if (!TERMINAL.includes(run.status)) {
      const nodes = Object.entries(run.nodes)
        .map(([id, n]) => `${id}:${n.status}#${n.attempt}`)
        .join(' ');
      result.lost.push({
        runId,
        what: `accepted (${submission.workload.variant}) at ${new Date(submission.acceptedAt ?? 0).toISOString()} but still ${run.status} [${nodes}] outbox=${run.outboxCount}`,
      });
      continue;
    }
    const customNodes = nodesOfTypes(submission.workload, CUSTOM_STEP_TYPES);
    for (const [id, node] of Object.entries(run.nodes)) {
      result.attemptsLostWithWorker += node.lost ?? 0;
      if (customNodes.has(id)) result.attemptsLostWithCustomWorker += node.lost ?? 0;
    }
    checkOutcome(submission, run, result);
    checkProviderCalls(run, calls, input.workerFaults, input.publishedCopies, result);
    checkWebhooks(submission, run, webhooks, deliveries.get(runId) ?? [], result);
  }
  for (const list of deliveries.values()) {
    for (const delivery of list) result.deliveryRetries += Math.max(0, delivery.attempts - 1);
  }

  // Every step type, from the workers' logs: the same mechanism as a repeated provider call.
  for (const [key, list] of groupCalls(input.executions)) {
    if (list.length <= 1) continue;
    result.repeatedExecutions += 1;
    const repeat = unexplainedRepeat(list, input.workerFaults);
    if (!repeat) {
      result.repeatedExecutionsExplained += 1;
      continue;
    }
    const copies = input.publishedCopies.get(key) ?? 0;
    if (copies > 1) result.repeatedPublishedTwice += 1;
    else result.repeatedDeliveredTwice += 1;
    if (result.repeatedExecutionSamples.length < 10) {
      result.repeatedExecutionSamples.push(`${key} ${repeat}; ${published(copies)}`);
    }
  }

  // Keys for runs the client never saw accepted are still one-per-attempt at most.
  const acceptedIds = new Set(accepted.map((s) => s.runId));
  for (const [key, list] of calls) {
    const runId = key.split(':')[0] ?? '';
    if (acceptedIds.has(runId)) continue;
    const repeat = unexplainedRepeat(list, input.workerFaults);
    if (repeat) {
      const copies = published(input.publishedCopies.get(key) ?? 0);
      result.duplicated.push({ runId, what: `provider key ${key}: ${repeat}; ${copies}` });
    }
  }
  return result;
}

function fail(result: Account, runId: string, what: string): void {
  result.wrong.push({ runId, what });
}

function checkOutcome(submission: Submission, run: RunDoc, result: Account): void {
  const { workload } = submission;
  const x = workload.input.x;
  const nodes = run.nodes;
  const runId = run.id;
  const expectStatus = (status: string): boolean => {
    if (run.status === status) return true;
    fail(
      result,
      runId,
      `${workload.variant}: expected ${status}, got ${run.status} ${JSON.stringify(run.error ?? {})}`,
    );
    return false;
  };
  const expectResult = (nodeId: string, expected: unknown): void => {
    const actual = nodes[nodeId]?.result;
    if (!isDeepStrictEqual(actual, expected)) {
      fail(
        result,
        runId,
        `${workload.variant}: node ${nodeId} result ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
      );
    }
  };
  // Nodes that should run once: a later attempt must have been caused by a timed-out one.
  const expectPlainAttempts = (ids: string[]): void => {
    for (const id of ids) {
      const node = nodes[id];
      if (!node || node.status !== 'completed') continue;
      if (node.attempt === 1) continue;
      if (node.attempt > 1 && FAULT_ERRORS.has(node.error?.code)) {
        result.extraAttemptsAfterTimeouts += node.attempt - 1;
        continue;
      }
      result.duplicated.push({
        runId,
        what: `${workload.variant}: node ${id} completed on attempt ${node.attempt} without a timed-out attempt to explain it (error ${JSON.stringify(node.error)})`,
      });
    }
  };

  switch (workload.kind) {
    case 'chain': {
      if (!expectStatus('completed')) return;
      result.completed += 1;
      expectResult('a', x);
      expectResult('c', { x, pair: [x, x] });
      const waited = (nodes.b?.result as { waited_ms?: number } | undefined)?.waited_ms;
      expectResult('d', `chain-${x}-${waited}`);
      expectPlainAttempts(['a', 'b', 'c', 'd']);
      return;
    }
    case 'fanout': {
      if (!expectStatus('completed')) return;
      result.completed += 1;
      expectResult('src', x);
      expectResult(
        'sink',
        Array.from({ length: FANOUT_BRANCHES }, (_, i) => [x, i]),
      );
      expectPlainAttempts([
        'src',
        'sink',
        ...Array.from({ length: FANOUT_BRANCHES }, (_, i) => `b${i}`),
      ]);
      return;
    }
    case 'llm': {
      if (!expectStatus('completed')) return;
      result.completed += 1;
      const content = `Fake completion for: count ${x}`;
      const said = (
        nodes.chat?.result as { choices?: { message?: { content?: string } }[] } | undefined
      )?.choices?.[0]?.message?.content;
      if (said !== content) fail(result, runId, `llm: chat said ${JSON.stringify(said)}`);
      expectResult('after', content);
      expectPlainAttempts(['chat', 'after']);
      return;
    }
    case 'flaky': {
      if (!expectStatus('completed')) return;
      result.completed += 1;
      const node = nodes.flaky;
      const first = FLAKY_FAIL_ATTEMPTS + 1;
      if (!node || node.attempt < first) {
        result.wrong.push({
          runId,
          what: `flaky: completed on attempt ${node?.attempt}, before ${first}`,
        });
        return;
      }
      expectResult('flaky', { attempt: node.attempt });
      expectResult('after', node.attempt);
      const code = node.error?.code;
      if (node.attempt === first && code !== 'flaky' && !FAULT_ERRORS.has(code)) {
        fail(result, runId, `flaky: last error ${code}`);
      } else if (node.attempt > first) {
        if (FAULT_ERRORS.has(code)) result.extraAttemptsAfterTimeouts += node.attempt - first;
        else {
          result.duplicated.push({
            runId,
            what: `flaky: ${node.attempt} attempts where ${first} were expected, the last failure ${code} (not a timeout)`,
          });
        }
      }
      expectPlainAttempts(['after']);
      return;
    }
    case 'doomed': {
      if (!expectStatus('failed')) return;
      result.failedAsExpected += 1;
      const node = nodes.doomed;
      if (run.error?.nodeId !== 'doomed')
        fail(result, runId, `doomed: run error ${JSON.stringify(run.error)}`);
      if (node?.status !== 'failed') fail(result, runId, `doomed: node is ${node?.status}`);
      if (nodes.after?.status !== 'cancelled')
        fail(result, runId, `doomed: after is ${nodes.after?.status}`);
      const code = node?.error?.code;
      if (workload.variant === 'doomed-retryable') {
        // Attempts lost with their worker or handed back are outside the budget.
        const budgeted = (node?.attempt ?? 0) - (node?.attemptBase ?? 0);
        if (budgeted !== DOOMED_MAX_ATTEMPTS) {
          result.duplicated.push({
            runId,
            what: `doomed-retryable: failed on attempt ${node?.attempt} (${budgeted} of its budget), budget ${DOOMED_MAX_ATTEMPTS}`,
          });
        }
        if (code !== 'doomed' && !FAULT_ERRORS.has(code))
          fail(result, runId, `doomed: error ${code}`);
      } else {
        if (code !== 'doomed') fail(result, runId, `doomed-permanent: error ${code}`);
        // A permanent failure runs once, unless an earlier attempt timed out (its error is gone).
        if ((node?.attempt ?? 0) > 1) result.extraAttemptsAfterTimeouts += (node?.attempt ?? 1) - 1;
      }
      expectPlainAttempts(['start']);
      return;
    }
    case 'cancel': {
      const cancel = submission.cancel;
      const allowed =
        cancel?.outcome === 'cancelled'
          ? ['cancelled']
          : cancel?.outcome === 'already-ended'
            ? [cancel.endedAs ?? 'completed']
            : ['cancelled', 'completed'];
      if (cancel?.outcome === 'refused')
        fail(result, runId, `cancel refused: ${cancel.detail ?? ''}`);
      if (!allowed.includes(run.status)) {
        fail(
          result,
          runId,
          `cancel (${cancel?.outcome ?? 'none'}): expected ${allowed.join('|')}, got ${run.status}`,
        );
        return;
      }
      if (run.status === 'cancelled') {
        result.cancelled += 1;
        for (const [id, node] of Object.entries(nodes)) {
          if (node.status !== 'cancelled' && node.status !== 'completed') {
            fail(result, runId, `cancelled run: node ${id} is ${node.status}`);
          }
        }
      } else {
        result.completedBeforeCancel += 1;
        expectResult('after', x);
        const waited = (nodes.wait?.result as { waited_ms?: number } | undefined)?.waited_ms ?? 0;
        if (waited < CANCEL_DELAY_MS - 5) fail(result, runId, `cancel: waited only ${waited} ms`);
        expectPlainAttempts(['wait', 'after']);
      }
      return;
    }
    case 'custom': {
      // acme's task types, run by the example worker built on the worker SDK.
      const words = customWords(x);
      const longest = words.reduce((best, word) => (word.length > best.length ? word : best), '');
      expectResult('prep', words.join(' '));
      if (workload.variant === 'custom-refused') {
        if (!expectStatus('failed')) return;
        result.failedAsExpected += 1;
        const count = nodes.count;
        if (run.error?.nodeId !== 'count')
          fail(result, runId, `custom-refused: run error ${JSON.stringify(run.error)}`);
        if (count?.status !== 'failed')
          fail(result, runId, `custom-refused: count is ${count?.status}`);
        if (count?.error?.code !== 'too_many_words')
          fail(result, runId, `custom-refused: count's error ${JSON.stringify(count?.error)}`);
        if (nodes.echo?.status !== 'cancelled')
          fail(result, runId, `custom-refused: echo is ${nodes.echo?.status}`);
        // Refused for good on its first budgeted attempt; one before it can only have timed out
        // (its error is gone), and those lost with their worker are outside the budget.
        const budgeted = (count?.attempt ?? 0) - (count?.attemptBase ?? 0);
        if (budgeted > 1) result.extraAttemptsAfterTimeouts += budgeted - 1;
        expectPlainAttempts(['prep']);
        return;
      }
      if (!expectStatus('completed')) return;
      result.completed += 1;
      expectResult('count', { words: words.length, longest });
      const echo = nodes.echo?.result as { text?: unknown; waited_ms?: unknown } | undefined;
      const text = `${longest}/${words.length}`;
      const seconds = workload.input.seconds ?? 0;
      const waited = echo?.waited_ms;
      if (
        echo?.text !== text ||
        typeof waited !== 'number' ||
        !Number.isInteger(waited) ||
        waited < seconds * 1000 ||
        Object.keys(echo).length !== 2
      ) {
        fail(
          result,
          runId,
          `custom: echo result ${JSON.stringify(echo)}, expected {text: ${JSON.stringify(text)}, waited_ms: an integer ≥ ${seconds * 1000}}`,
        );
      }
      expectPlainAttempts(['prep', 'count', 'echo']);
      return;
    }
    case 'probe': {
      if (!expectStatus('completed')) return;
      result.probes += 1;
      if (workload.variant === 'probe-custom') {
        const echo = nodes.p?.result as { text?: unknown } | undefined;
        if (echo?.text !== `probe-${x}`)
          fail(result, runId, `probe-custom: echo result ${JSON.stringify(echo)}`);
      } else {
        expectResult('p', `probe-${x}`);
      }
      expectPlainAttempts(['p']);
      return;
    }
  }
}

/** What the step topic holds of an attempt, for a repeat's evidence. */
function published(copies: number): string {
  if (copies === 0) return 'its step.execute was not found in the topic';
  if (copies === 1) return 'its step.execute is in the topic once: one message delivered twice';
  return `its step.execute is in the topic ${copies} times: the message was published more than once`;
}

function groupCalls(calls: Execution[]): Map<string, Execution[]> {
  const grouped = new Map<string, Execution[]>();
  for (const call of calls) grouped.set(call.key, [...(grouped.get(call.key) ?? []), call]);
  return grouped;
}

/**
 * Why an attempt ran more than once, when no crash explains it. A repeat is explained by a fault
 * of a worker that held the attempt: it ran (or called) before it was killed, or before it woke
 * from a SIGSTOP, and another process ran it again after the fault began — the attempt's message
 * was handed on uncommitted, which at-least-once delivery allows (the Idempotency-Key lets the
 * provider run it once). Each repeat needs a fault of its own.
 */
export function unexplainedRepeat(list: Execution[], faults: WorkerFault[]): string | undefined {
  if (list.length <= 1) return undefined;
  const explaining = faults.filter(
    (fault) =>
      list.some((call) => call.sender === fault.incarnation && call.at <= fault.until + 2_000) &&
      list.some((call) => call.sender !== fault.incarnation && call.at >= fault.at),
  );
  if (explaining.length >= list.length - 1) return undefined;
  const sorted = [...list].sort((a, b) => a.at - b.at);
  const when = (at: number) => new Date(at).toISOString().slice(11, 23);
  const senders = new Set(list.map((c) => c.sender));
  const how = senders.size === 1 ? 'by the same process' : 'by different processes';
  return `ran ${list.length} times ${how}: ${sorted.map((c) => `${c.sender}@${when(c.at)}`).join(', ')}; no kill, stop or crash of a worker holding it explains ${list.length - 1 - explaining.length} of the repeats`;
}

function checkProviderCalls(
  run: RunDoc,
  calls: Map<string, Execution[]>,
  faults: WorkerFault[],
  publishedCopies: Map<string, number>,
  result: Account,
): void {
  const chat = run.nodes.chat;
  if (!chat) return;
  for (let attempt = 1; attempt <= chat.attempt + 1; attempt++) {
    const key = `${run.id}:chat:${attempt}`;
    const list = calls.get(key) ?? [];
    if (attempt > chat.attempt && list.length > 0) {
      result.wrong.push({
        runId: run.id,
        what: `provider called for attempt ${attempt}, which the run never queued`,
      });
    }
    if (list.length > 1) {
      const repeat = unexplainedRepeat(list, faults);
      const copies = published(publishedCopies.get(key) ?? 0);
      if (repeat)
        result.duplicated.push({
          runId: run.id,
          what: `provider key ${key}: ${repeat}; ${copies}`,
        });
      else result.providerRepeatsAfterCrash += list.length - 1;
    }
  }
  if (chat.status === 'completed' && !calls.has(`${run.id}:chat:${chat.attempt}`)) {
    result.wrong.push({
      runId: run.id,
      what: `chat completed on attempt ${chat.attempt}, which never called the provider`,
    });
  }
}

interface DeliveryDoc {
  runId: string;
  event: string;
  messageId: string;
  status: string;
  url: string;
  endpointId?: string;
  attempts: number;
}

async function readDeliveries(db: Db, ids: string[]): Promise<Map<string, DeliveryDoc[]>> {
  const byRun = new Map<string, DeliveryDoc[]>();
  for (let i = 0; i < ids.length; i += 300) {
    const documents = await db
      .collection<Record<string, unknown>>('webhook_deliveries')
      .find({ runId: { $in: ids.slice(i, i + 300) } })
      .toArray();
    for (const document of documents) {
      const delivery: DeliveryDoc = {
        runId: document.runId as string,
        event: document.event as string,
        messageId: document.messageId as string,
        status: document.status as string,
        url: document.url as string,
        ...(typeof document.endpointId === 'string' ? { endpointId: document.endpointId } : {}),
        attempts: Array.isArray(document.attempts) ? document.attempts.length : 0,
      };
      byRun.set(delivery.runId, [...(byRun.get(delivery.runId) ?? []), delivery]);
    }
  }
  return byRun;
}

function groupWebhooks(received: ReceivedWebhook[]): Map<string, ReceivedWebhook[]> {
  const byRun = new Map<string, ReceivedWebhook[]>();
  for (const webhook of received)
    byRun.set(webhook.runId, [...(byRun.get(webhook.runId) ?? []), webhook]);
  return byRun;
}

function checkWebhooks(
  submission: Submission,
  run: RunDoc,
  webhooks: Map<string, ReceivedWebhook[]>,
  deliveries: DeliveryDoc[],
  result: Account,
): void {
  const runId = run.id;
  const event = `run.${run.status}`;
  const got = webhooks.get(runId) ?? [];
  // One event per run: a run ends once.
  const types = new Set(got.map((w) => w.type));
  if (types.size > 1) {
    result.duplicated.push({
      runId,
      what: `webhooks for ${[...types].join(' and ')}: the run ended more than once`,
    });
  }
  for (const type of types) {
    const ids = new Set(got.filter((w) => w.type === type).map((w) => w.webhookId));
    if (ids.size > 1) {
      result.duplicated.push({
        runId,
        what: `${type} delivered under ${ids.size} webhook-ids: ${[...ids].join(', ')}`,
      });
    }
  }
  for (const webhook of got) {
    if (!webhook.signatureOk)
      result.wrong.push({ runId, what: `${webhook.path}: signature did not verify` });
    if (webhook.type === event && webhook.status !== run.status) {
      result.wrong.push({
        runId,
        what: `webhook body says ${webhook.status}, run is ${run.status}`,
      });
    }
  }
  const paths = ['/endpoint', ...(submission.webhookUrl ? ['/per-run'] : [])];
  for (const path of paths) {
    const ok = got.some((w) => w.path === path && w.type === event && w.answered < 300);
    if (!ok)
      result.undelivered.push({
        runId,
        what: `no ${event} accepted at ${path} (got ${got.filter((w) => w.path === path).length} requests)`,
      });
  }
  // The engine's own record: one delivery per receiver, delivered, under the id the receiver saw.
  if (deliveries.length !== paths.length) {
    const what = `${deliveries.length} delivery records for ${paths.length} receivers: ${deliveries.map((d) => `${d.event}/${d.endpointId ?? 'run'}/${d.status}`).join(', ')}`;
    if (deliveries.length > paths.length) result.duplicated.push({ runId, what });
    else result.undelivered.push({ runId, what });
  }
  for (const delivery of deliveries) {
    if (delivery.status !== 'delivered') {
      result.undelivered.push({
        runId,
        what: `delivery to ${delivery.endpointId ?? 'webhookUrl'} is ${delivery.status}`,
      });
    }
    if (delivery.event !== event) {
      result.wrong.push({ runId, what: `delivery for ${delivery.event}, run ended ${run.status}` });
    }
    if (got.length > 0 && !got.some((w) => w.webhookId === delivery.messageId)) {
      result.wrong.push({
        runId,
        what: `delivery ${delivery.messageId} never seen at the receiver`,
      });
    }
  }
}
