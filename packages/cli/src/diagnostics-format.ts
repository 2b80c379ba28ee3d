import type { Diagnostic, Diagnostics } from '@weft/client';

const LABELS = [
  ['errors', 'error'],
  ['type_issues', 'type issue'],
  ['warnings', 'warning'],
] as const;

/** Where a diagnostic points: `node "gen", field "inputs.prompt"`, or `definition`. */
function locationOf(diagnostic: Diagnostic): string {
  const parts: string[] = [];
  if (diagnostic.node !== undefined) parts.push(`node "${diagnostic.node}"`);
  if (diagnostic.field !== undefined) parts.push(`field "${diagnostic.field}"`);
  return parts.length === 0 ? 'definition' : parts.join(', ');
}

/**
 * Every diagnostic on a line of its own, errors first: severity, node id and field path, the
 * message, then the code and JSON pointer into the file.
 */
export function formatDiagnostics(diagnostics: Diagnostics): string {
  const lines: string[] = [];
  for (const [list, label] of LABELS) {
    for (const diagnostic of diagnostics[list] ?? []) {
      const pointer = diagnostic.path === undefined ? '' : `, at ${diagnostic.path}`;
      lines.push(
        `${label.padEnd(10)}  ${locationOf(diagnostic)}: ${diagnostic.message} ` +
          `(${diagnostic.code}${pointer})`,
      );
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `2 errors, 1 type issue, 0 warnings`. */
export function diagnosticsSummary(diagnostics: Diagnostics): string {
  return [
    plural(diagnostics.errors?.length ?? 0, 'error'),
    plural(diagnostics.type_issues?.length ?? 0, 'type issue'),
    plural(diagnostics.warnings?.length ?? 0, 'warning'),
  ].join(', ');
}

/** True when `value` looks like the API's diagnostics object. */
export function isDiagnostics(value: unknown): value is Diagnostics {
  const candidate = value as Partial<Diagnostics> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    (Array.isArray(candidate.errors) ||
      Array.isArray(candidate.type_issues) ||
      Array.isArray(candidate.warnings))
  );
}
