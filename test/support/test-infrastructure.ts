import mongoose, { type Connection } from 'mongoose';
import { createKafkaClient, type KafkaClient } from '@weft/kafka';
import { waitFor } from '@weft/infra';
import { connectDatabase as connectStoreDatabase } from '@weft/store';
import { uniqueName } from './unique-name';

export { uniqueName } from './unique-name';
export { waitFor } from '@weft/infra';

/** A variable global-setup sets for integration tests (the broker's and the database's address). */
export function requiredEnv(name: 'KAFKA_BROKERS' | 'MONGODB_URI'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: integration tests run under test/support/global-setup.ts`);
  }
  return value;
}

/** A Kafka client for the run's broker, after proving the broker answers. */
export async function connectKafka(): Promise<KafkaClient> {
  const brokers = requiredEnv('KAFKA_BROKERS');
  const client = createKafkaClient({
    brokers: brokers.split(','),
    clientId: uniqueName('test'),
    logLevel: 'nothing',
    retries: 2,
  });
  await waitFor(
    `the Kafka broker at ${brokers} (KAFKA_BROKERS) — is it running?`,
    async () => {
      const admin = await client.admin();
      try {
        return (await admin.describeCluster()).brokers.length > 0 ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 10_000, intervalMs: 500 },
  );
  return client;
}

/** A mongoose connection to a database of its own, after proving the server answers. */
export async function connectDatabase(): Promise<Connection> {
  const uri = requiredEnv('MONGODB_URI');
  const connection = mongoose.createConnection(uri, {
    dbName: uniqueName('test').replaceAll('-', '_'),
    serverSelectionTimeoutMS: 5000,
    // As services connect: stores create their collections and indexes in ensureIndexes.
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await connection.asPromise();
    await connection.db?.command({ ping: 1 });
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new Error(
      `the database at ${uri} (MONGODB_URI) does not answer — is it running? ${(error as Error).message}`,
      { cause: error },
    );
  }
  return connection;
}

/**
 * Drops a test's database and closes its connection. mongo-java-server can refuse a drop that
 * races its own index bookkeeping ("index not found with name [_id_]"), so the drop is retried;
 * a database that still will not go is left behind rather than failing the tests that used it.
 */
export async function dropDatabase(connection: Connection): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.dropDatabase();
      break;
    } catch (error) {
      if (attempt === 5) {
        process.stderr.write(`[test] left database ${connection.name}: ${String(error)}\n`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  await connection.close();
}

/**
 * A second connection to `connection`'s database, opened as services open theirs, that records
 * the name of each command it sends: for tests that count a store's round trips.
 */
export async function connectCountingCommands(
  connection: Connection,
): Promise<{ counted: Connection; commands: string[] }> {
  const commands: string[] = [];
  const counted = await connectStoreDatabase(requiredEnv('MONGODB_URI'), {
    dbName: connection.name,
    onCommand: (command) => commands.push(command),
  });
  return { counted, commands };
}
