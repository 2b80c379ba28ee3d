/**
 * What a workflow slug may look like. The same pattern as @weft/store's WORKFLOW_SLUG_PATTERN,
 * which the browser cannot import (the store is built on mongoose); test/console checks they
 * agree.
 */
export const WORKFLOW_SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$';

export const WORKFLOW_SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);
