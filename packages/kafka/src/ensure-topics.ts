import type { KafkaClient, TopicSpec } from './client';

/** Creates the topics in `specs` that do not exist yet, with an admin connection of its own. */
export async function ensureTopics(client: KafkaClient, specs: TopicSpec[]): Promise<void> {
  const admin = await client.admin();
  try {
    await admin.ensureTopics(specs);
  } finally {
    await admin.disconnect();
  }
}
