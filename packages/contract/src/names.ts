// Plain values, no schemas: the console bundles these without the schema library.

/**
 * What a workflow slug may look like: lowercase letters and digits, `-` or `_` inside, at most 64
 * characters, e.g. `image-generate-v1`. It names the workflow in URLs, so nothing needs escaping.
 */
export const WORKFLOW_SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$';

/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
