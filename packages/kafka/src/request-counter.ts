import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** Kafka's names for the protocol's API keys that Weft's clients send. */
const API_NAMES: Readonly<Record<number, string>> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  15: 'DescribeGroups',
  16: 'ListGroups',
  17: 'SaslHandshake',
  18: 'ApiVersions',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  22: 'InitProducerId',
  32: 'DescribeConfigs',
  33: 'AlterConfigs',
  36: 'SaslAuthenticate',
  37: 'CreatePartitions',
  60: 'DescribeCluster',
};

/** The name of a Kafka API key, e.g. 0 → `Produce`; `api-<key>` for one Weft never sends. */
export function kafkaApiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? `api-${apiKey}`;
}

/** Where @platformatic/kafka announces each request it sends (a tracing channel's start). */
const PLATFORMATIC_REQUESTS = 'tracing:plt:kafka:connections:api:start';

const listeners = new Set<(api: string) => void>();

function onPlatformaticRequest(message: unknown): void {
  const apiKey = (message as { apiKey?: unknown }).apiKey;
  if (typeof apiKey === 'number') countKafkaRequest(apiKey);
}

/**
 * Calls `listener` with the API's name (`Produce`, `Fetch`…) for every request any Kafka client
 * of this process sends to a broker, on either library: what request counts are made of. Returns
 * a function that stops it.
 */
export function onKafkaRequest(listener: (api: string) => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) subscribe(PLATFORMATIC_REQUESTS, onPlatformaticRequest);
  return () => {
    if (listeners.delete(listener) && listeners.size === 0) {
      unsubscribe(PLATFORMATIC_REQUESTS, onPlatformaticRequest);
    }
  };
}

/** Tells the listeners a request with `apiKey` was sent (the kafkajs client's hook). */
export function countKafkaRequest(apiKey: number): void {
  if (listeners.size === 0) return;
  const api = kafkaApiName(apiKey);
  for (const listener of listeners) listener(api);
}
