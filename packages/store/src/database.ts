import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  /** The database name; default: the one in the URI's path, else `weft`. */
  dbName?: string;
  /** How long to look for a server before an operation fails. Default: 10000 ms. */
  serverSelectionTimeoutMs?: number;
  /**
   * How long an operation may wait for the server's answer before it fails and its connection is
   * closed. Default: 60000 ms: a service never waits forever on one (chaos runs saw a write left
   * unanswered across a database restart), and none of Weft's takes near that long.
   */
  socketTimeoutMs?: number;
  /** Called with the command's name (`find`, `update`…) for every command sent: for counts. */
  onCommand?: (command: string) => void;
}

/** Opens a mongoose connection and waits until the server answers. */
export async function connectDatabase(
  uri: string,
  options: DatabaseOptions = {},
): Promise<Connection> {
  const path = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.slice(1);
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName ?? (path || 'weft'),
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 10_000,
    // The pool grows to the most operations ever in flight at once; without this it never
    // shrinks back, and a 30-minute soak saw the gateway's sockets climb from 15 to 61.
    maxIdleTimeMS: 30_000,
    socketTimeoutMS: options.socketTimeoutMs ?? 60_000,
    // Collections and indexes are created explicitly by ensureIndexes, once, at a service's start:
    // mongoose creating them in the background races that (mongo-java-server refuses the loser).
    autoIndex: false,
    autoCreate: false,
    monitorCommands: options.onCommand !== undefined,
  });
  const { onCommand } = options;
  if (onCommand) {
    connection.getClient().on('commandStarted', (event) => onCommand(event.commandName));
  }
  await connection.asPromise();
  return connection;
}

/** Resolves when the database answers a ping; for readiness probes. */
export async function databaseAnswers(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db || connection.readyState !== mongoose.ConnectionStates.connected) {
    throw new Error('the database is not connected');
  }
  await db.command({ ping: 1 });
}
