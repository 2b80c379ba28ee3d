/** A configuration problem found at start: the service refuses to run and says what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a required variable, failing with a message naming it. */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required`);
  return value;
}

/** Reads an integer variable within bounds, or its default. */
export function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** Reads a variable that must be one of `choices`, or its default. */
export function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, not "${raw}"`);
  }
  return raw as T;
}

/** Reads a yes-or-no variable (`1`/`true` or `0`/`false`, any case), or its default. */
export function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const lower = raw.toLowerCase();
  if (lower === '1' || lower === 'true') return true;
  if (lower === '0' || lower === 'false') return false;
  throw new ConfigError(`${name} must be 1 or 0 (true or false), not "${raw}"`);
}
