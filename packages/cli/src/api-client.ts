import { WeftClient } from '@weft/client';
import { cliVersion } from './cli-version';
import { UsageError, type CliContext, type CommandArgs, type OptionSpecs } from './command';
import { DEFAULT_PROFILE } from './config-file';
import { PROFILE_OPTION, URL_OPTION, connectionSettingsOf } from './connection-settings';

/** Options of every command that talks to the API as an app. */
export const API_OPTIONS = {
  url: URL_OPTION,
  'api-key': {
    type: 'string',
    placeholder: '<key>',
    description: "the app's API key (overrides WEFT_API_KEY and the profile)",
  },
  profile: PROFILE_OPTION,
} as const satisfies OptionSpecs;

/** The User-Agent of the CLI's requests. */
export function cliUserAgent(): string {
  return `weft-cli/${cliVersion()}`;
}

/** The API key from `--api-key`, else WEFT_API_KEY, else the profile; undefined when none. */
export function apiKeyOf(values: CommandArgs['values'], context: CliContext): string | undefined {
  return connectionSettingsOf(values, context).apiKey;
}

/**
 * A client for the API and key of the connection settings (flags, then environment, then
 * profile). Without a key the command line is incomplete: exit code 2.
 */
export function apiClientOf(values: CommandArgs['values'], context: CliContext): WeftClient {
  const { url, apiKey } = connectionSettingsOf(values, context);
  if (apiKey === undefined) {
    throw new UsageError(
      'no API key: pass --api-key <key>, set WEFT_API_KEY, or save one in a profile ' +
        `(weft profiles set ${DEFAULT_PROFILE} --api-key <key>); \`weft apps create\` prints one`,
    );
  }
  return new WeftClient({ url, apiKey, userAgent: cliUserAgent() });
}
