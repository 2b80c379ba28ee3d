import type { Connection } from 'mongoose';
import { AppStore, connectDatabase } from '@weft/store';
import { CommandError, type CliContext } from './command';

/** Where the CLI finds the database when MONGODB_URI is not set: `npm run infra:up`'s. */
export const DEFAULT_MONGODB_URI = 'mongodb://127.0.0.1:27017/weft';

/** The URI without its password, fit for an error message. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

/**
 * Connects to the database in MONGODB_URI (default: the local one), runs `work` with the app
 * store, and disconnects, whatever happens.
 */
export async function withAppStore<T>(
  context: CliContext,
  work: (apps: AppStore) => Promise<T>,
): Promise<T> {
  const uri = context.env.MONGODB_URI?.trim() || DEFAULT_MONGODB_URI;
  let connection: Connection;
  try {
    connection = await connectDatabase(uri, { serverSelectionTimeoutMs: 5000 });
  } catch (error) {
    throw new CommandError(
      `cannot reach the database at ${redactUri(uri)} (set MONGODB_URI): ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const apps = new AppStore(connection);
    await apps.ensureIndexes();
    return await work(apps);
  } finally {
    await connection.close();
  }
}
