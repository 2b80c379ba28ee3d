import { apiKeyPrefix } from '@weft/store';
import {
  CommandError,
  UsageError,
  type CliContext,
  type Command,
  type OptionSpecs,
} from '../command';
import {
  DEFAULT_PROFILE,
  PROFILE_FIELDS,
  configPath,
  profileNameProblem,
  profileNamed,
  readConfig,
  writeConfig,
  type Profile,
  type ProfileField,
} from '../config-file';
import { keyByPrefix } from '../key-display';
import { formatTable } from '../table';

/** The flag that sets each field of a profile: the same as the flag that overrides it. */
const FLAG_OF: Record<ProfileField, string> = {
  url: 'url',
  apiKey: 'api-key',
  adminToken: 'admin-token',
};

const EMPTY_REMOVES = 'an empty value removes it';

const SET_OPTIONS = {
  url: {
    type: 'string',
    placeholder: '<url>',
    description: `the API the profile works with, http(s); ${EMPTY_REMOVES}`,
  },
  'api-key': {
    type: 'string',
    placeholder: '<key>',
    description: `the app's API key (weft_…); ${EMPTY_REMOVES}`,
  },
  'admin-token': {
    type: 'string',
    placeholder: '<token>',
    description: `the gateway's ADMIN_TOKEN, for apps and keys --app; ${EMPTY_REMOVES}`,
  },
} as const satisfies OptionSpecs;

function configPathOf(context: CliContext): string {
  const path = configPath(context.env);
  if (path === undefined) {
    throw new CommandError('there is no home folder to keep the config file in: set WEFT_CONFIG');
  }
  return path;
}

/** Why a field's new value cannot be saved, or undefined when it can. */
function valueProblem(field: ProfileField, value: string): string | undefined {
  if (field === 'url') {
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    return protocol === 'http:' || protocol === 'https:'
      ? undefined
      : `--url must be an http or https URL, not "${value}"`;
  }
  if (field === 'apiKey' && apiKeyPrefix(value) === undefined) {
    return '--api-key is not a Weft API key (weft_<prefix>_<secret>, as `weft apps create` prints)';
  }
  return undefined;
}

/** A profile as it may be shown: the URL, the key by its prefix, whether a token is set. */
function profileView(name: string, profile: Profile, active: boolean) {
  const prefix = profile.apiKey === undefined ? undefined : apiKeyPrefix(profile.apiKey);
  // A key not of Weft's form (written by hand) has no prefix to show: only that there is one.
  const hidden = prefix === undefined ? '…' : keyByPrefix(prefix);
  return {
    name,
    active,
    url: profile.url ?? null,
    apiKey: profile.apiKey === undefined ? null : hidden,
    adminToken: profile.adminToken !== undefined,
  };
}

/** The profile commands use when neither `--profile` nor WEFT_PROFILE says. */
function activeName(context: CliContext): string {
  const named = context.env.WEFT_PROFILE?.trim();
  return named === undefined || named === '' ? DEFAULT_PROFILE : named;
}

/** `weft profiles set <name>`: saves (or changes) a profile in the config file, mode 0600. */
export const setProfileCommand: Command = {
  path: ['profiles', 'set'],
  usage: '<name> [--url <url>] [--api-key <key>] [--admin-token <token>] [--json]',
  summary:
    'Save a profile (an API, its key, an admin token), so that commands need no flags; ' +
    'a field not given stays as it was',
  options: SET_OPTIONS,
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const name = positionals[0] ?? '';
    const nameProblem = profileNameProblem(name);
    if (nameProblem !== undefined) throw new UsageError(nameProblem);
    const changes = PROFILE_FIELDS.flatMap((field) => {
      const value = values[FLAG_OF[field]];
      return typeof value === 'string' ? [{ field, value: value.trim() }] : [];
    });
    if (changes.length === 0) {
      throw new UsageError('say what to save: --url, --api-key or --admin-token');
    }
    for (const { field, value } of changes) {
      const problem = value === '' ? undefined : valueProblem(field, value);
      if (problem !== undefined) throw new UsageError(problem);
    }
    const path = configPathOf(context);
    const config = readConfig(path) ?? { profiles: {} };
    const profile: Profile = { ...profileNamed(config, name) };
    for (const { field, value } of changes) {
      if (value === '') delete profile[field];
      else profile[field] = value;
    }
    config.profiles[name] = profile;
    await writeConfig(path, config);
    const view = profileView(name, profile, name === activeName(context));
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ path, profile: view })}\n`);
      return;
    }
    const saved = [
      `url ${view.url ?? `(none: WEFT_URL or the default)`}`,
      `API key ${view.apiKey ?? '(none)'}`,
      `admin token ${view.adminToken ? 'set' : '(none)'}`,
    ];
    context.stdout(`Saved profile "${name}" in ${path}: ${saved.join(', ')}.\n`);
  },
};

/** `weft profiles list`: each profile's URL and key prefix, never a secret. */
export const listProfilesCommand: Command = {
  path: ['profiles', 'list'],
  usage: '[--json]',
  summary: 'List the profiles: URL, API key by its prefix, whether an admin token is set',
  options: {},
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const path = configPathOf(context);
    const profiles = Object.entries(readConfig(path)?.profiles ?? {}).map(([name, profile]) =>
      profileView(name, profile, name === activeName(context)),
    );
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ path, profiles })}\n`);
      return;
    }
    if (profiles.length === 0) {
      context.stdout(
        `No profiles in ${path}; save one with ` +
          `weft profiles set ${DEFAULT_PROFILE} --url <url> --api-key <key>\n`,
      );
      return;
    }
    context.stdout(
      `Profiles in ${path} (* the one in use without --profile):\n` +
        formatTable(
          ['', 'PROFILE', 'URL', 'API KEY', 'ADMIN TOKEN'],
          profiles.map((profile) => [
            profile.active ? '*' : '',
            profile.name,
            profile.url ?? '',
            profile.apiKey ?? '',
            profile.adminToken ? 'set' : '',
          ]),
        ),
    );
  },
};
