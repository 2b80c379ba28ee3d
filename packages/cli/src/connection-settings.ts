import { DEFAULT_WEFT_URL } from '@weft/client';
import { UsageError, type CliContext, type CommandArgs, type OptionSpec } from './command';
import {
  DEFAULT_PROFILE,
  configPath,
  given,
  profileNamed,
  readConfig,
  type Profile,
} from './config-file';

/** `--url`: the API, for every command that talks to it. */
export const URL_OPTION: OptionSpec = {
  type: 'string',
  placeholder: '<url>',
  description: `the API (overrides WEFT_URL and the profile; default ${DEFAULT_WEFT_URL})`,
};

/** `--profile`: which profile of the config file supplies what flags and environment do not. */
export const PROFILE_OPTION: OptionSpec = {
  type: 'string',
  placeholder: '<name>',
  description:
    'the profile of the config file to use, for what flags and environment do not give ' +
    `(overrides WEFT_PROFILE; default "${DEFAULT_PROFILE}", when it exists)`,
};

/** Where the API is and what to present there, each from its flag, else env, else profile. */
export interface ConnectionSettings {
  url: string;
  apiKey?: string;
  adminToken?: string;
  /** The profile that was read, if any: errors name it. */
  profile?: string;
}

/**
 * The profile in force: the one `--profile` or WEFT_PROFILE names (a UsageError when the file
 * lacks it), else `default` when the file has one, else none.
 */
function profileOf(
  values: CommandArgs['values'],
  env: NodeJS.ProcessEnv,
): { name: string; profile: Profile } | undefined {
  const flag = given(values.profile);
  const named = flag ?? given(env.WEFT_PROFILE);
  const path = configPath(env);
  const config = path === undefined ? undefined : readConfig(path);
  const name = named ?? DEFAULT_PROFILE;
  const profile = profileNamed(config, name);
  if (profile !== undefined) return { name, profile };
  if (named === undefined) return undefined;
  const source = flag === undefined ? ' (from WEFT_PROFILE)' : '';
  const where =
    config === undefined
      ? `there is no config file${path === undefined ? '' : ` at ${path}`}`
      : `${path ?? ''} has ${Object.keys(config.profiles).join(', ') || 'none'}`;
  throw new UsageError(
    `there is no profile "${named}"${source}: ${where}; ` +
      `create it with weft profiles set ${named} --url <url> --api-key <key>`,
  );
}

/**
 * The API's URL, key and admin token: `--url`, `--api-key`, `--admin-token` first, then
 * WEFT_URL, WEFT_API_KEY, WEFT_ADMIN_TOKEN, then the profile, then the default URL.
 */
export function connectionSettingsOf(
  values: CommandArgs['values'],
  context: CliContext,
): ConnectionSettings {
  const { env } = context;
  const selected = profileOf(values, env);
  const profile = selected?.profile ?? {};
  const apiKey = given(values['api-key']) ?? given(env.WEFT_API_KEY) ?? given(profile.apiKey);
  const adminToken =
    given(values['admin-token']) ?? given(env.WEFT_ADMIN_TOKEN) ?? given(profile.adminToken);
  return {
    url: given(values.url) ?? given(env.WEFT_URL) ?? given(profile.url) ?? DEFAULT_WEFT_URL,
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(selected === undefined ? {} : { profile: selected.name }),
  };
}
