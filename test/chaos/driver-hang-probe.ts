// `npx tsx test/chaos/driver-hang-probe.ts [--restarts N] [--workers N] [--socket-timeout-ms MS]`:
// the smallest setting of a hang the chaos program met: writes in flight through the store's own
// connection (connectDatabase) while the embedded database restarts, as the chaos fault does
// (stopped, 4 s down, started again). An operation that neither succeeds nor fails within 20 s is
// reported as unanswered. Prints one line per restart and a summary; exits 1 if any hung.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase } from '@weft/store';
import {
  chooseDatabase,
  type DetachedProcess,
  freePort,
  startDatabase,
  stopProcess,
  waitForDatabase,
} from '@weft/infra';
import { parseCommandLine } from './command-line';

const UNANSWERED_MS = 20_000;
const DOWN_MS = 4_000;

async function main(): Promise<void> {
  const options = parseCommandLine(
    process.argv.slice(2),
    { restarts: 6, workers: 16, socketTimeoutMs: 0, keep: false },
    { '--restarts': 'restarts', '--workers': 'workers', '--socket-timeout-ms': 'socketTimeoutMs' },
    'npx tsx test/chaos/driver-hang-probe.ts [--restarts N] [--workers N] [--socket-timeout-ms MS]',
  );
  const dir = mkdtempSync(join(tmpdir(), 'weft-driver-hang-'));
  const port = await freePort();
  const kind = chooseDatabase(process.env);
  const uri = `mongodb://127.0.0.1:${port}/probe`;
  const start = async (): Promise<DetachedProcess> => {
    const database = await startDatabase({
      kind,
      dir: join(dir, kind),
      port,
      logFile: join(dir, 'database.log'),
    });
    await waitForDatabase(uri, 90_000);
    return database;
  };
  let database = await start();
  const connection = await connectDatabase(uri, {
    ...(options.socketTimeoutMs > 0 ? { socketTimeoutMs: options.socketTimeoutMs } : {}),
  });
  // Indexed as the engine's collections are: a sparse single-field index, a compound one.
  const collections = ['runs', 'keys', 'claims'].map((name) =>
    connection.collection<{ _id: string; n: number; at?: number; app: string }>(name),
  );
  for (const collection of collections) {
    await collection.createIndex({ at: 1 }, { sparse: true });
    await collection.createIndex({ app: 1, _id: -1 });
  }

  const pending = new Map<number, { startedAt: number; what: string }>();
  const hung = new Set<number>();
  let next = 0;
  let answered = 0;
  let failed = 0;
  let stopping = false;
  const loop = async (worker: number) => {
    for (let i = 0; !stopping; i++) {
      const id = next++;
      const what = (['insertMany', 'bulkWrite', 'find'] as const)[i % 3]!;
      const collection = collections[(worker + i) % collections.length]!;
      pending.set(id, { startedAt: Date.now(), what });
      try {
        if (what === 'insertMany') {
          await collection.insertMany([{ _id: `w${worker}-${i}`, n: i, at: i, app: 'a' }], {
            ordered: false,
          });
        } else if (what === 'bulkWrite') {
          // The engine's compare-and-set shape: `_id` and a version.
          await collection.bulkWrite(
            [
              {
                updateOne: {
                  filter: { _id: `w${worker}-${i - 1}`, n: i - 1 },
                  update: { $inc: { n: 1 } },
                },
              },
            ],
            { ordered: false },
          );
        } else {
          await collection
            .find({ _id: { $in: [`w${worker}-${i - 2}`, `w${worker}-${i - 5}`] } })
            .toArray();
        }
        answered++;
      } catch {
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        pending.delete(id);
      }
    }
  };
  const watchdog = setInterval(() => {
    for (const [id, op] of pending) {
      if (!hung.has(id) && Date.now() - op.startedAt > UNANSWERED_MS) {
        hung.add(id);
        console.log(`unanswered after ${UNANSWERED_MS / 1000} s: ${op.what} #${id}`);
        if (hung.size === 1)
          dumpThreads(database.pid, join(dir, '..', `driver-hang-${port}.jstack`));
      }
    }
  }, 1_000);
  const loops = Array.from({ length: options.workers }, (_, worker) => loop(worker));

  for (let restart = 1; restart <= options.restarts; restart++) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await stopProcess(database, 30_000);
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    database = await start();
    await new Promise((resolve) => setTimeout(resolve, UNANSWERED_MS + 2_000));
    console.log(
      `restart ${restart}: ${answered} answered, ${failed} failed, ${pending.size} in flight, ${hung.size} unanswered so far`,
    );
  }
  stopping = true;
  clearInterval(watchdog);
  await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  console.log(
    `${options.restarts} restarts, ${options.workers} writers, socket timeout ${options.socketTimeoutMs || 'the default'}: ` +
      `${answered} answered, ${failed} failed, ${hung.size} never answered`,
  );
  await connection.close(true).catch(() => undefined);
  await stopProcess(database, 30_000);
  rmSync(dir, { recursive: true, force: true });
  process.exit(hung.size > 0 ? 1 : 0);
}

/** The database's threads, for a hang on its side: jstack when it is a JVM. */
function dumpThreads(pid: number, file: string): void {
  try {
    writeFileSync(file, execFileSync('jstack', [String(pid)], { encoding: 'utf8' }));
    console.log(`the database's threads: ${file}`);
  } catch (error) {
    console.log(`no thread dump: ${(error as Error).message}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
