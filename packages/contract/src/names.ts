// Plain values, no schemas: the console bundles these without the schema library.

/**
 * What a workflow slug may look like: lowercase letters and digits, `-` or `_` inside, at most 64
 * characters, e.g. `image-generate-v1`. It names the workflow in URLs, so nothing needs escaping.
 */
export const WORKFLOW_SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$';

/**
 * One part of a registered task type's name: a lowercase letter, then up to 62 lowercase letters,
 * digits, `_` or `-`. No `.`: a step topic spells the name's `/` as `.`, so two names can never
 * share a topic.
 */
const TASK_TYPE_NAME_PART = '[a-z][a-z0-9_-]{0,62}';

/** What a task type registered at run time is named: `namespace/name`, e.g. `acme/resize`. */
export const CUSTOM_TASK_TYPE_NAME_PATTERN = `^${TASK_TYPE_NAME_PART}/${TASK_TYPE_NAME_PART}$`;

/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Endpoints one app may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/** The run events an endpoint can subscribe to; `emit_webhook` steps may send others. */
export const RUN_WEBHOOK_EVENTS = [
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.timed_out',
] as const;

/** Event names an endpoint may filter on: the run events, or an `emit_webhook` step's own. */
export const WEBHOOK_EVENT_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;

/** Names an index: what `search_similar`, `store_results` and the API accept. */
export const VECTOR_INDEX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Names an item. */
export const VECTOR_ITEM_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** The widest vector accepted (OpenAI's largest embedding is 3072). */
export const MAX_VECTOR_DIMENSIONS = 4096;

/** Names an app's result collection: what `store_results` and the API accept. */
export const RESULT_COLLECTION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Text people read — names and descriptions in the console, the CLI and logs — must show what it
 * says. Control characters can rewrite a terminal line or hide in a log; bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make one name display as another.
 * Marks (U+200E, U+200F) only set direction and stay allowed, as right-to-left names need them.
 */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';

/** A single-line name: no C0 or C1 control character, no bidirectional control. */
export const DISPLAY_NAME_PATTERN = `^[^\\u0000-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;

/** A description: as a name, but tabs and line breaks allowed. */
export const DISPLAY_TEXT_PATTERN = `^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;

/** The longest app name accepted; a name is a single line of display text. */
export const MAX_APP_NAME_LENGTH = 100;

/** How schemas and messages describe the refusal. */
export const DISPLAY_TEXT_RULE =
  'text without control characters or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)';

/** A listing's page size: what a page holds unless `?limit=` says, and the most it may hold. */
export const PAGE_LIMITS = {
  runs: { default: 20, max: 100 },
  documents: { default: 20, max: 100 },
  executions: { default: 20, max: 100 },
} as const;

/** The deliveries an endpoint's listing shows: its newest. */
export const MAX_DELIVERIES_LISTED = 100;

/** The longest `Idempotency-Key` accepted; it must be printable ASCII. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x20-\\x7e]+$';

/**
 * The largest artifact an upload may store unless the gateway's `ARTIFACT_LIMIT_BYTES` says
 * otherwise: 100 MiB. A step result must fit one Kafka message; an artifact is how more travels.
 */
export const DEFAULT_ARTIFACT_LIMIT_BYTES = 100 * 1024 * 1024;

/** The longest `Content-Type` an artifact may be stored with. */
export const MAX_MEDIA_TYPE_LENGTH = 255;

// RFC 9110 §5.6.2 token, and §5.6.4 quoted-string (ASCII only: the type is served back as a header).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t\\x20-\\x7e])*"';

/**
 * A media type as a `Content-Type` header states it (RFC 9110 §8.3.1): `type/subtype`, then any
 * `; name=value` parameters, e.g. `image/png` or `text/plain; charset=utf-8`.
 */
export const MEDIA_TYPE_PATTERN = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*$`,
);
