export type * from './client';
export { createKafkajsClient, type KafkajsClientConfig } from './kafkajs-client';
export { createPlatformaticClient, type PlatformaticClientConfig } from './platformatic-client';
export {
  createKafkaClient,
  KAFKA_IMPLEMENTATIONS,
  type KafkaClientConfig,
  type KafkaImplementation,
} from './create-client';
export { ensureTopics } from './ensure-topics';
export { brokerAnswers } from './broker-answers';
export { onKafkaRequest } from './request-counter';
