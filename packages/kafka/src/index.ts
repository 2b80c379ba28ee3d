export type * from './client';
export { createKafkajsClient, type KafkajsClientConfig } from './kafkajs-client';
export { createPlatformaticClient, type PlatformaticClientConfig } from './platformatic-client';
export {
  createKafkaClient,
  DEFAULT_KAFKA_IMPLEMENTATION,
  kafkaClientConfig,
  KAFKA_IMPLEMENTATIONS,
  kafkaImplementationFromEnv,
  type KafkaClientConfig,
  type KafkaImplementation,
} from './create-client';
export { ensureTopics } from './ensure-topics';
export { brokerAnswers } from './broker-answers';
export { onKafkaRequest } from './request-counter';
export type { KafkaSasl, KafkaSaslMechanism, KafkaTls } from './client-settings';
export { KafkaConnectionRefused, type KafkaRefusalCode } from './connection-refusal';
export { sendToDeadLetters, type WarningLog } from './dead-letters';
