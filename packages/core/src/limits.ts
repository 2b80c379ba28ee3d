/**
 * Size limits on definitions and run input. They bound validation time and memory, so a hostile
 * or runaway document is refused with a diagnostic instead of slowing every service that reads it.
 */
export const DEFINITION_LIMITS = {
  /** Nodes in one definition (dag.nodes entries or steps). */
  maxNodes: 1000,
  /** Edges in one definition (dag.edges, or dependsOn entries summed over steps). */
  maxEdges: 5000,
  /** Size of the whole definition serialized as JSON, in UTF-8 bytes (1 MiB). */
  maxDefinitionBytes: 1024 * 1024,
  /** Size of one node's inputs serialized as JSON, in UTF-8 bytes (256 KiB). */
  maxNodeInputBytes: 256 * 1024,
  /** Nesting depth of one node's inputs, a parameter default or a run input value. */
  maxInputDepth: 32,
  /** Length of any single string value, in UTF-16 code units. */
  maxStringLength: 65_536,
  /** Length of any object key. */
  maxKeyLength: 256,
  /** Length of the workflow's name. */
  maxNameLength: 200,
  /** Length of a description (workflow or input parameter). */
  maxDescriptionLength: 4000,
  /** Declared input parameters. */
  maxInputParameters: 100,
  /** Values in one input parameter's enum. */
  maxEnumValues: 256,
  /** Paths listed in one node's outputs. */
  maxOutputPaths: 100,
  /** Codes in one retry policy's non_retryable_errors. */
  maxNonRetryableErrors: 100,
  /** Run timeout, seconds (7 days). */
  maxRunTimeoutSeconds: 7 * 24 * 3600,
  /** Per-attempt step timeout, seconds (1 day). */
  maxStepTimeoutSeconds: 24 * 3600,
  /** Attempts in one retry policy. */
  maxRetryAttempts: 100,
  /** Any delay in a retry policy, milliseconds (1 day). */
  maxRetryDelayMs: 24 * 3600 * 1000,
  /** Largest backoff_coefficient. */
  maxBackoffCoefficient: 10,
  /** Size of one run's input serialized as JSON, in UTF-8 bytes (1 MiB). */
  maxRunInputBytes: 1024 * 1024,
  /** Schema diagnostics reported for one document; the rest are summarized in one message. */
  maxSchemaDiagnostics: 100,
  /** Diagnostics listed per list (errors, type_issues, warnings); the rest are summarized in one. */
  maxDiagnosticsPerList: 200,
} as const;

/** Node ids (and step ids): start with a letter or underscore, then up to 63 of [A-Za-z0-9_-]. */
export const NODE_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';

/** Input parameter names: the same shape as node ids so `${input.<name>}` always parses. */
export const PARAMETER_NAME_PATTERN = NODE_ID_PATTERN;

/** Names that would reach an object's prototype machinery; refused as ids, keys in paths and input names. */
export const FORBIDDEN_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];
