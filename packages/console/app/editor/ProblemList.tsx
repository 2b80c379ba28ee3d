import type { GraphProblems, Problem } from './graph-problems';
import { severityName } from './graph-problems';

/** Findings as a list: severity, then core's message (which says how to fix it). */
export function ProblemItems({
  problems,
  onSelectNode,
}: {
  problems: readonly Problem[];
  onSelectNode?: (id: string) => void;
}) {
  return (
    <ul className="problem-list">
      {problems.map((problem, index) => (
        <li key={index} className={`problem problem-${problem.severity}`} data-code={problem.code}>
          <span className="problem-severity">{severityName(problem.severity)}</span>
          <span className="problem-message">{problem.message}</span>
          {onSelectNode && problem.node !== undefined && (
            <button
              type="button"
              className="link-button"
              onClick={() => onSelectNode(problem.node as string)}
            >
              Show {problem.node}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The summary line of the problem panel, also announced to screen readers as it changes. */
export function problemSummary(problems: GraphProblems): string {
  const errors = problems.all.filter((p) => p.severity === 'error').length;
  const typeIssues = problems.all.filter((p) => p.severity === 'type_issue').length;
  const warnings = problems.all.filter((p) => p.severity === 'warning').length;
  if (errors + typeIssues + warnings === 0) return 'No problems found';
  return [
    errors > 0 ? count(errors, 'error', 'errors') : '',
    typeIssues > 0 ? count(typeIssues, 'type issue', 'type issues') : '',
    warnings > 0 ? count(warnings, 'warning', 'warnings') : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
}

/** Every finding of the live validation, under the canvas. */
export function ProblemPanel({
  problems,
  onSelectNode,
}: {
  problems: GraphProblems;
  onSelectNode: (id: string) => void;
}) {
  const summary = problemSummary(problems);
  const hasErrors = problems.all.some((p) => p.severity === 'error');
  return (
    <section className="problem-panel" aria-labelledby="problems-heading">
      <h2 id="problems-heading" className="panel-heading">
        Validation{' '}
        <span
          className={`summary ${hasErrors ? 'summary-error' : problems.all.length > 0 ? 'summary-warning' : 'summary-ok'}`}
          role="status"
        >
          {summary}
        </span>
      </h2>
      {problems.all.length > 0 && (
        <ProblemItems problems={problems.all} onSelectNode={onSelectNode} />
      )}
    </section>
  );
}
