// Plain values, no schemas: the console bundles these without the schema library.

/** Where a diagnostic is reported: errors block saving (HTTP 422); type issues and warnings do not. */
export type DiagnosticSeverity = 'error' | 'type_issue' | 'warning';

/**
 * Every diagnostic code, with its severity and what it means. Codes are stable API: clients
 * switch on them, so a code is never renamed or reused for another meaning.
 */
export const DIAGNOSTIC_CODES = {
  schema: {
    severity: 'error',
    summary:
      'The document does not have the required structure (wrong type, missing or unknown property, over a size limit).',
  },
  cycle: { severity: 'error', summary: 'The edges form a cycle; a workflow must be acyclic.' },
  unknown_edge_node: {
    severity: 'error',
    summary: 'An edge (or dependsOn entry) names a node that does not exist.',
  },
  duplicate_node_id: { severity: 'error', summary: 'Two steps have the same id.' },
  self_edge: { severity: 'error', summary: 'An edge goes from a node to itself.' },
  unknown_task: { severity: 'error', summary: 'A node names a task type that does not exist.' },
  missing_model: {
    severity: 'error',
    summary: "The node's task type needs a model and none is selected.",
  },
  incompatible_model: {
    severity: 'error',
    summary: 'The selected model is not one the task type supports.',
  },
  unknown_reference_node: {
    severity: 'error',
    summary: 'A ${nodes.<id>...} reference names a node that does not exist.',
  },
  reference_not_upstream: {
    severity: 'error',
    summary:
      'A node references a node that does not run before it (not an ancestor through edges).',
  },
  undeclared_input: {
    severity: 'error',
    summary: 'A ${input.<name>} reference names a parameter the definition does not declare.',
  },
  malformed_reference: {
    severity: 'error',
    summary: 'A ${...} reference or an output path is not well-formed.',
  },
  forbidden_path_segment: {
    severity: 'error',
    summary: 'A reference path uses __proto__, constructor or prototype, which are never resolved.',
  },
  invalid_inputs: {
    severity: 'error',
    summary:
      "A literal input value violates the task's input schema, or a required input is missing.",
  },
  invalid_parameter_default: {
    severity: 'error',
    summary: "An input parameter's default or enum values do not fit its declared type.",
  },
  reference_type_mismatch: {
    severity: 'type_issue',
    summary: "A reference feeds a field whose schema cannot accept the referenced value's type.",
  },
  unknown_output_path: {
    severity: 'type_issue',
    summary:
      "A reference or an outputs entry names a path the upstream task's output does not have.",
  },
  unused_input_parameter: {
    severity: 'warning',
    summary: 'A declared input parameter is not referenced by any node.',
  },
  disconnected_node: {
    severity: 'warning',
    summary: 'A node has no edges while other nodes are connected; an edge may be missing.',
  },
  duplicate_edge: { severity: 'warning', summary: 'The same edge is listed more than once.' },
  unknown_input_field: {
    severity: 'warning',
    summary:
      'An input field is not one the task type declares; it is passed to the provider as is.',
  },
  optional_input_reference: {
    severity: 'warning',
    summary:
      'A node references an optional input parameter without a default; it fails when a run omits it.',
  },
  timeout_exceeds_run_timeout: {
    severity: 'warning',
    summary:
      "A node's step timeout is longer than the whole run's timeout, so it can never be reached.",
  },
  invalid_run_input: {
    severity: 'error',
    summary: 'Run input must be a JSON object within the size and depth limits.',
  },
  missing_input: {
    severity: 'error',
    summary: 'A required input parameter has no value and no default.',
  },
  unknown_input: {
    severity: 'error',
    summary: 'Run input has a key the definition does not declare as an input parameter.',
  },
  input_type_mismatch: {
    severity: 'error',
    summary: "A run input value does not have the input parameter's declared type.",
  },
  input_not_in_enum: {
    severity: 'error',
    summary: "A run input value is not one of the input parameter's allowed values.",
  },
  forbidden_input_key: {
    severity: 'error',
    summary: 'Run input uses the key __proto__, constructor or prototype.',
  },
} as const satisfies Record<string, { severity: DiagnosticSeverity; summary: string }>;

/** A diagnostic code; see {@link DIAGNOSTIC_CODES}. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
