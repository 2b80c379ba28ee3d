import { DEFAULT_WEFT_URL, WeftClient } from '@weft/client';
import { UsageError, type CliContext, type CommandArgs } from './command';

/** Options of every command that talks to the API: they override WEFT_URL and WEFT_API_KEY. */
export const API_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

/** The CLI's version, in its User-Agent. */
export const CLI_VERSION = '0.1.0';

function given(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The API key from `--api-key` or WEFT_API_KEY, or undefined when there is none. */
export function apiKeyOf(values: CommandArgs['values'], context: CliContext): string | undefined {
  return given(values['api-key']) ?? given(context.env.WEFT_API_KEY);
}

/**
 * A client for the API at `--url` (else WEFT_URL, else http://127.0.0.1:8080) with the key from
 * `--api-key` (else WEFT_API_KEY). Without a key the command line is incomplete: exit code 2.
 */
export function apiClientOf(values: CommandArgs['values'], context: CliContext): WeftClient {
  const apiKey = apiKeyOf(values, context);
  if (apiKey === undefined) {
    throw new UsageError(
      'no API key: pass --api-key <key> or set WEFT_API_KEY (`weft apps create` prints one)',
    );
  }
  return new WeftClient({
    url: given(values.url) ?? given(context.env.WEFT_URL) ?? DEFAULT_WEFT_URL,
    apiKey,
    userAgent: `weft-cli/${CLI_VERSION}`,
  });
}
