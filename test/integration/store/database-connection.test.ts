import { connectDatabase } from '@weft/store';
import { requiredEnv } from '../../support/test-infrastructure';

/**
 * How the services' database connection bounds its waits: no operation waits forever for an
 * answer (chaos runs saw one left unanswered across a database restart), and the pool gives back
 * connections a burst opened.
 */
describe('the database connection', () => {
  it('fails an operation unanswered for 60 s and closes connections idle for 30 s', async () => {
    const connection = await connectDatabase(requiredEnv('MONGODB_URI'));
    try {
      const options = connection.getClient().options;
      expect(options.socketTimeoutMS).toBe(60_000);
      expect(options.maxIdleTimeMS).toBe(30_000);
    } finally {
      await connection.close();
    }
  });

  it('takes another socket timeout when given one', async () => {
    const connection = await connectDatabase(requiredEnv('MONGODB_URI'), {
      socketTimeoutMs: 5_000,
    });
    try {
      expect(connection.getClient().options.socketTimeoutMS).toBe(5_000);
    } finally {
      await connection.close();
    }
  });
});
