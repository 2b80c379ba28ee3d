import { NonRetriableStepError } from '@weft/core';

// RFC 9110 field names; values without control characters (no header injection).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A node's headers, checked and copied; a name or value HTTP cannot carry fails the step, as
 * `invalid_input`, before anything is sent.
 */
export function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) {
      throw new NonRetriableStepError(
        'invalid_input',
        `header "${name}" is not a valid HTTP header`,
      );
    }
  }
  return { ...headers };
}
