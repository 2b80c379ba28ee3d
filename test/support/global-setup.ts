import { provideInfrastructure, type ProvidedInfrastructure } from './infrastructure';

declare global {
  // Shared with global-teardown.ts, which Jest runs in this same process.
  var weftInfrastructure: ProvidedInfrastructure | undefined;
}

/** Provides Kafka and the database once per test run; test files read them from the env. */
export default async function globalSetup(): Promise<void> {
  const infrastructure = await provideInfrastructure();
  globalThis.weftInfrastructure = infrastructure;
  process.env.KAFKA_BROKERS = infrastructure.kafkaBrokers;
  process.env.MONGODB_URI = infrastructure.mongoUri;
  console.error(
    `\n[test infra] Kafka ${infrastructure.kafkaBrokers}, database ${infrastructure.mongoUri} (${infrastructure.description})`,
  );
}
