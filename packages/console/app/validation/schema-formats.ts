/** True for an absolute http(s) URL: what core's `uri` format accepts. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The string formats core's schemas use, for the precompiled validators. Mirrors the format
 * core's schema-compiler.ts registers (it does not export it); test/console checks they agree.
 */
export const schemaFormats = {
  uri: { type: 'string', validate: isHttpUrl },
} as const;
