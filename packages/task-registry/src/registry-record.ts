import type { RegisteredTaskType as WireRegisteredTaskType } from '@weft/contract';
import { checkTaskTypeRegistration, type TaskTypeRegistration } from '@weft/core';
import type { ConsumedMessage, OutgoingMessage } from '@weft/kafka';

/** A registration as the registry holds it: what was registered, and when. */
export type RegisteredTaskType = TaskTypeRegistration &
  Pick<WireRegisteredTaskType, 'registeredAt'>;

/** The record that registers `registration` (key: its name; value: it and `registeredAt`). */
export function registrationRecord(
  registration: TaskTypeRegistration,
  registeredAt: Date,
): OutgoingMessage {
  const value: RegisteredTaskType = { ...registration, registeredAt: registeredAt.toISOString() };
  return { key: registration.name, value: JSON.stringify(value) };
}

/** The record that removes the type `name`: a tombstone. */
export function removalRecord(name: string): OutgoingMessage {
  return { key: name, value: null };
}

/** What one record of the registry says: a type registered, a name removed, or nothing usable. */
export type RegistryEntry =
  | { kind: 'registered'; name: string; taskType: RegisteredTaskType }
  | { kind: 'removed'; name: string }
  | { kind: 'invalid'; name: string | null; problems: string[] };

/**
 * Reads one record. A value that is not a valid registration of its key's name is `invalid`;
 * it still replaces what came before under its key, as compaction will, so every reader of the
 * registry ends up with the same types whether or not it saw the older record.
 */
export function readRegistryRecord(message: ConsumedMessage): RegistryEntry {
  const name = message.key;
  if (name === null) return { kind: 'invalid', name, problems: ['the record has no key'] };
  if (message.tombstone) return { kind: 'removed', name };
  let value: unknown;
  try {
    value = JSON.parse(message.value.toString('utf8'));
  } catch {
    return { kind: 'invalid', name, problems: ['the value is not JSON'] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', name, problems: ['the value is not a JSON object'] };
  }
  const { registeredAt, ...registration } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof registeredAt !== 'string' || Number.isNaN(Date.parse(registeredAt))) {
    problems.push('registeredAt: must be a date-time');
  }
  const checked = checkTaskTypeRegistration(registration);
  if (!checked.ok) problems.push(...checked.problems);
  else if (checked.registration.name !== name) {
    problems.push(`the record's key "${name}" is not its name "${checked.registration.name}"`);
  }
  if (problems.length > 0 || !checked.ok) return { kind: 'invalid', name, problems };
  return {
    kind: 'registered',
    name,
    taskType: { ...checked.registration, registeredAt: registeredAt as string },
  };
}
