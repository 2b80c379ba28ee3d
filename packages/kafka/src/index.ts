export type * from './client';
export { createKafkajsClient, type KafkajsClientConfig } from './kafkajs-client';
export { ensureTopics } from './ensure-topics';
export { brokerAnswers } from './broker-answers';
