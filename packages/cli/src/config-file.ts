import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { CommandError } from './command';

/** What one profile may hold; any other key in the file is refused, so that a typo shows. */
export const PROFILE_FIELDS = ['url', 'apiKey', 'adminToken'] as const;

export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** A profile: where the API is and the secrets to use there, each optional. */
export type Profile = Partial<Record<ProfileField, string>>;

/** The config file: `{"profiles": {"default": {url, apiKey, adminToken}, …}}`. */
export interface ConfigFile {
  profiles: Record<string, Profile>;
}

/** The profile used when neither `--profile` nor WEFT_PROFILE names one, if the file has it. */
export const DEFAULT_PROFILE = 'default';

/** Where the config file is when WEFT_CONFIG does not say, for help texts. */
export const DEFAULT_CONFIG_PATH_RULE =
  '$XDG_CONFIG_HOME/weft/config.json, else ~/.config/weft/config.json';

/** Profile names: what is safe in a file and on a command line. */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Why `name` cannot name a profile, or undefined when it can. */
export function profileNameProblem(name: string): string | undefined {
  return PROFILE_NAME.test(name)
    ? undefined
    : `"${name}" is not a profile name (letters, digits, "_", "." and "-", at most 64)`;
}

/** A setting as given, trimmed; undefined when absent, not a string, or blank. */
export function given(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Where the config file is: WEFT_CONFIG, else under XDG_CONFIG_HOME, else under ~/.config. From
 * `env` alone, so that callers (and tests) choose; undefined when `env` names no home at all.
 */
export function configPath(env: NodeJS.ProcessEnv): string | undefined {
  const explicit = given(env.WEFT_CONFIG);
  if (explicit !== undefined) return explicit;
  // The XDG spec ignores a relative XDG_CONFIG_HOME.
  const xdg = given(env.XDG_CONFIG_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'weft', 'config.json');
  const home = given(env.HOME) ?? given(env.USERPROFILE);
  return home === undefined ? undefined : join(home, '.config', 'weft', 'config.json');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The file's text as a ConfigFile; a CommandError naming the file and the faulty entry. An empty
 * file holds no profiles, so that WEFT_CONFIG=/dev/null turns them off.
 */
export function parseConfig(text: string, path: string): ConfigFile {
  if (text.trim() === '') return { profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CommandError(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const wrong = (what: string) => new CommandError(`${path}: ${what}`);
  if (!isObject(parsed)) throw wrong('it must hold an object, {"profiles": {…}}');
  for (const key of Object.keys(parsed)) {
    if (key !== 'profiles') throw wrong(`"${key}" is not a setting (the file holds "profiles")`);
  }
  const profiles = parsed.profiles ?? {};
  if (!isObject(profiles)) throw wrong('"profiles" must be an object, by profile name');
  const config: ConfigFile = { profiles: {} };
  for (const [name, profile] of Object.entries(profiles)) {
    const nameProblem = profileNameProblem(name);
    if (nameProblem !== undefined) throw wrong(nameProblem);
    if (!isObject(profile)) throw wrong(`profile "${name}" must be an object`);
    const checked: Profile = {};
    for (const [field, value] of Object.entries(profile)) {
      if (!(PROFILE_FIELDS as readonly string[]).includes(field)) {
        throw wrong(
          `profile "${name}" has "${field}", which is not a setting (${PROFILE_FIELDS.join(', ')})`,
        );
      }
      if (typeof value !== 'string') throw wrong(`profile "${name}": ${field} must be a string`);
      checked[field as ProfileField] = value;
    }
    config.profiles[name] = checked;
  }
  return config;
}

/** The config file at `path`, or undefined when there is none. */
export function readConfig(path: string): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new CommandError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(text, path);
}

/** The profile called `name`, never an Object.prototype property that shares its name. */
export function profileNamed(config: ConfigFile | undefined, name: string): Profile | undefined {
  return config !== undefined && Object.hasOwn(config.profiles, name)
    ? config.profiles[name]
    : undefined;
}

/**
 * Writes the config file readable by its owner only (0600; its folder 0700), since it holds API
 * keys: through a new file renamed over the old, so a reader never sees half of it and an older
 * file's wider mode does not carry over.
 */
export async function writeConfig(path: string, config: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(partial, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new CommandError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
