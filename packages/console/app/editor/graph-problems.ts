import {
  DIAGNOSTIC_CODES,
  findCycle,
  type Diagnostic,
  type DiagnosticSeverity,
  type Diagnostics,
  type WorkflowDefinition,
} from '@weft/core';

/** A diagnostic with the severity its code has. */
export interface Problem extends Diagnostic {
  severity: DiagnosticSeverity;
}

/** Where core's findings show on the canvas. */
export interface GraphProblems {
  /** Every finding, errors first. */
  all: Problem[];
  /** The findings each node is concerned by. */
  byNode: Map<string, Problem[]>;
  /** The findings each edge (`from->to`) is concerned by. */
  byEdge: Map<string, Problem[]>;
}

/** The key the canvas names an edge by. */
export function edgeKey(from: string, to: string): string {
  return `${from}->${to}`;
}

function push<K>(map: Map<K, Problem[]>, key: K, problem: Problem): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [problem]);
  else if (!list.includes(problem)) list.push(problem);
}

const EDGE_PATH = /^\/dag\/edges\/(\d+)(?:\/(from|to))?$/;

/**
 * Places each diagnostic of core's validator on the nodes and edges it concerns. Core names one
 * node per finding; here a cycle marks every node and edge on it, and an edge to a node that
 * does not exist marks the edge's other end, which is on the canvas.
 */
export function placeProblems(
  definition: WorkflowDefinition,
  diagnostics: Diagnostics,
): GraphProblems {
  const all: Problem[] = [
    ...diagnostics.errors.map((d) => ({ ...d, severity: 'error' as const })),
    ...diagnostics.type_issues.map((d) => ({ ...d, severity: 'type_issue' as const })),
    ...diagnostics.warnings.map((d) => ({ ...d, severity: 'warning' as const })),
  ];
  const byNode = new Map<string, Problem[]>();
  const byEdge = new Map<string, Problem[]>();
  const nodes = definition.dag.nodes;
  const edges = definition.dag.edges;

  for (const problem of all) {
    if (problem.code === 'cycle') {
      const cycle = findCycle(definition) ?? (problem.node === undefined ? [] : [problem.node]);
      cycle.forEach((id, i) => {
        push(byNode, id, problem);
        const next = cycle[(i + 1) % cycle.length];
        if (next !== undefined && cycle.length > 1) push(byEdge, edgeKey(id, next), problem);
      });
      continue;
    }
    if (problem.node !== undefined && Object.hasOwn(nodes, problem.node)) {
      push(byNode, problem.node, problem);
    }
    const edgeMatch = problem.path === undefined ? null : EDGE_PATH.exec(problem.path);
    const edge = edgeMatch === null ? undefined : edges[Number(edgeMatch[1])];
    if (edge !== undefined) {
      push(byEdge, edgeKey(edge.from, edge.to), problem);
      for (const end of [edge.from, edge.to]) {
        if (Object.hasOwn(nodes, end)) push(byNode, end, problem);
      }
    }
  }
  return { all, byNode, byEdge };
}

const SHORT_LABELS: Partial<Record<Diagnostic['code'], string>> = {
  schema: 'Invalid field',
  cycle: 'In a cycle',
  unknown_edge_node: 'Edge to a missing node',
  self_edge: 'Edge to itself',
  unknown_task: 'Unknown task type',
  missing_model: 'No model selected',
  incompatible_model: 'Model not compatible',
  unknown_reference_node: 'Reference to a missing node',
  reference_not_upstream: 'Reference to a node not upstream',
  undeclared_input: 'Undeclared input parameter',
  malformed_reference: 'Malformed reference',
  forbidden_path_segment: 'Forbidden reference path',
  invalid_inputs: 'Invalid input',
  reference_type_mismatch: 'Type mismatch',
  unknown_output_path: 'Unknown output path',
  disconnected_node: 'Not connected',
  duplicate_edge: 'Duplicate edge',
  unknown_input_field: 'Unknown input field',
  optional_input_reference: 'Optional input without default',
  timeout_exceeds_run_timeout: 'Timeout over the run’s',
};

/** A few words for a node badge; the full message is in the Node tab and the problem list. */
export function shortLabel(problem: Diagnostic): string {
  return SHORT_LABELS[problem.code] ?? DIAGNOSTIC_CODES[problem.code].summary;
}

/** How a severity is named to users. */
export function severityName(severity: DiagnosticSeverity): string {
  switch (severity) {
    case 'error':
      return 'Error';
    case 'type_issue':
      return 'Type issue';
    case 'warning':
      return 'Warning';
  }
}
