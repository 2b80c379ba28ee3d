import {
  createKafkaClient,
  DEFAULT_KAFKA_IMPLEMENTATION,
  kafkaImplementationFromEnv,
} from './create-client';

describe('choosing the Kafka client', () => {
  it('is @platformatic/kafka unless WEFT_KAFKA_CLIENT names another', () => {
    expect(DEFAULT_KAFKA_IMPLEMENTATION).toBe('platformatic');
    expect(kafkaImplementationFromEnv({})).toBe('platformatic');
    expect(kafkaImplementationFromEnv({ WEFT_KAFKA_CLIENT: '  ' })).toBe('platformatic');
    expect(kafkaImplementationFromEnv({ WEFT_KAFKA_CLIENT: ' kafkajs ' })).toBe('kafkajs');
  });

  it('refuses a client it does not know instead of falling back', () => {
    expect(() =>
      createKafkaClient({ brokers: ['127.0.0.1:9'], implementation: 'rdkafka' as never }),
    ).toThrow(
      'unknown Kafka client "rdkafka" (WEFT_KAFKA_CLIENT or implementation): expected one of kafkajs, platformatic',
    );
  });
});
