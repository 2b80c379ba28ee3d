import {
  checkTaskTypeRegistration,
  engineTopics,
  incompatibilities,
  isStepTopic,
  jsonEqual,
  TASK_TYPES_TOPIC,
  type TaskTypeRegistration,
} from '@weft/core';
import { ensureTopics, type KafkaClient } from '@weft/kafka';
import { registrationRecord, type RegisteredTaskType } from './registry-record';
import { RegistryReader } from './registry-reader';

/** Why one registration was refused. */
export interface TaskTypeConflict {
  /** The name as given (it may be the problem). */
  name: string;
  /** The version as given, when it was a number. */
  version: number | undefined;
  /** `invalid`: not a registration Weft can take; `incompatible`: it would break workflows. */
  kind: 'invalid' | 'incompatible';
  /** Each problem, or each incompatibility with the registered version. */
  reasons: string[];
}

/**
 * Registrations refused, none of them written: names that are reserved or malformed, schemas
 * that do not compile, or changes incompatible with what is registered at the same version.
 */
export class TaskTypeConflictError extends Error {
  readonly code = 'task_type_conflict';

  constructor(readonly conflicts: readonly TaskTypeConflict[]) {
    super(conflicts.map(describeConflict).join('\n'));
    this.name = 'TaskTypeConflictError';
  }
}

function describeConflict(conflict: TaskTypeConflict): string {
  const which = `task type "${conflict.name}"${conflict.version === undefined ? '' : ` version ${conflict.version}`}`;
  const reasons = conflict.reasons.map((reason) => `\n  - ${reason}`).join('');
  return conflict.kind === 'incompatible'
    ? `${which} is already registered with schemas this one is incompatible with:${reasons}\n  Raise "version" to register the change; workflows then validate against the new schemas.`
    : `${which} cannot be registered:${reasons}`;
}

/** What became of one registration. */
export interface RegistrationOutcome {
  name: string;
  version: number;
  /** `unchanged`: the same was registered already, and nothing was written. */
  outcome: 'registered' | 'unchanged';
}

/** Options of {@link registerTaskTypes}. */
export interface RegisterOptions {
  /** Partitions of the step topics it creates (as the services' `WEFT_STEP_PARTITIONS`). Default: 8. */
  stepPartitions?: number;
  /** How long reading the registry to its end may take. Default: 30000 ms. */
  catchUpTimeoutMs?: number;
  /** The time written as `registeredAt`. Default: now. */
  now?: () => Date;
}

/** The registry as it is now: read to its end, then left. */
async function currentRegistry(
  kafka: KafkaClient,
  timeoutMs: number,
): Promise<ReadonlyMap<string, RegisteredTaskType>> {
  const reader = new RegistryReader(kafka);
  try {
    await reader.start();
    await reader.caughtUp(timeoutMs);
    return reader.registered;
  } finally {
    await reader.stop();
  }
}

function nameOf(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : String(name);
}

function versionOf(value: unknown): number | undefined {
  const version = (value as { version?: unknown } | null)?.version;
  return typeof version === 'number' ? version : undefined;
}

/**
 * Registers task types through Kafka alone (no database): checks each (name, schemas, retry and
 * timeout), reads the registry to its end and compares each with the type registered under its
 * name — the same version must be compatible (see core's `incompatibilities`); another version
 * replaces it whatever it says — then creates the step topics of every type for every region and
 * writes the changed registrations, resolving once the broker has them. All or nothing: if any
 * is refused, it throws a {@link TaskTypeConflictError} and writes nothing. Registering what is
 * registered already writes nothing.
 *
 * Two processes registering one name at once race: each compares with what it read, both may
 * write, and the later record wins — even one the other would have found incompatible. Register
 * a type from one place (its worker's deployment), or give each change its own version.
 */
export async function registerTaskTypes(
  kafka: KafkaClient,
  registrations: readonly TaskTypeRegistration[],
  options: RegisterOptions = {},
): Promise<RegistrationOutcome[]> {
  const conflicts: TaskTypeConflict[] = [];
  const checked: TaskTypeRegistration[] = [];
  const seen = new Set<string>();
  for (const given of registrations as readonly unknown[]) {
    const result = checkTaskTypeRegistration(given);
    const name = nameOf(given);
    const version = versionOf(given);
    if (!result.ok) {
      conflicts.push({ name, version, kind: 'invalid', reasons: result.problems });
    } else if (seen.has(name)) {
      conflicts.push({ name, version, kind: 'invalid', reasons: ['it is given twice'] });
    } else {
      // As it will be written and read back: a property set to undefined is no property.
      checked.push(JSON.parse(JSON.stringify(result.registration)) as TaskTypeRegistration);
    }
    seen.add(name);
  }
  if (conflicts.length > 0) throw new TaskTypeConflictError(conflicts);
  if (checked.length === 0) return [];

  const registered = await currentRegistry(kafka, options.catchUpTimeoutMs ?? 30_000);
  const outcomes: RegistrationOutcome[] = [];
  const changed: TaskTypeRegistration[] = [];
  for (const registration of checked) {
    const { name, version } = registration;
    const previous = registered.get(name);
    if (previous !== undefined) {
      const { registeredAt: _at, ...stored } = previous;
      if (jsonEqual(stored, registration)) {
        outcomes.push({ name, version, outcome: 'unchanged' });
        continue;
      }
      const reasons = incompatibilities(stored, registration);
      if (reasons.length > 0) {
        conflicts.push({ name, version, kind: 'incompatible', reasons });
        continue;
      }
    }
    changed.push(registration);
    outcomes.push({ name, version, outcome: 'registered' });
  }
  if (conflicts.length > 0) throw new TaskTypeConflictError(conflicts);

  // Topics first: once a gateway sees a type, runs naming it can publish their steps.
  await ensureTopics(
    kafka,
    engineTopics(
      { steps: options.stepPartitions ?? 8 },
      checked.map((registration) => registration.name),
    ).filter((spec) => isStepTopic(spec.topic)),
  );
  if (changed.length > 0) {
    const now = options.now?.() ?? new Date();
    const producer = await kafka.producer();
    try {
      await producer.send(
        TASK_TYPES_TOPIC,
        changed.map((registration) => registrationRecord(registration, now)),
      );
    } finally {
      await producer.disconnect();
    }
  }
  return outcomes;
}
