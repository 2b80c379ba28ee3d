import type { Diagnostic, DiagnosticCode, Diagnostics } from '@weft/contract';
import { DIAGNOSTIC_CODES } from '@weft/contract';

// The codes and the shapes of findings are the API's, declared in the contract.
export type { Diagnostic, DiagnosticCode, Diagnostics, DiagnosticSeverity } from '@weft/contract';
export { DIAGNOSTIC_CODES } from '@weft/contract';

/** A fresh empty set of diagnostics. */
export function emptyDiagnostics(): Diagnostics {
  return { errors: [], type_issues: [], warnings: [] };
}

/** The list a code belongs in, from its severity. */
export function listFor(diagnostics: Diagnostics, code: DiagnosticCode): Diagnostic[] {
  switch (DIAGNOSTIC_CODES[code].severity) {
    case 'error':
      return diagnostics.errors;
    case 'type_issue':
      return diagnostics.type_issues;
    case 'warning':
      return diagnostics.warnings;
  }
}

/** Files a diagnostic under errors, type_issues or warnings according to its code. */
export function report(diagnostics: Diagnostics, diagnostic: Diagnostic): void {
  listFor(diagnostics, diagnostic.code).push(diagnostic);
}

/** True when nothing at all was reported. */
export function isClean(diagnostics: Diagnostics): boolean {
  return (
    diagnostics.errors.length === 0 &&
    diagnostics.type_issues.length === 0 &&
    diagnostics.warnings.length === 0
  );
}

/**
 * Keeps at most `max` diagnostics per list, replacing the rest with one that says how many were
 * left out, so a pathological document cannot produce a huge response.
 */
export function truncateDiagnostics(diagnostics: Diagnostics, max: number): void {
  for (const list of [diagnostics.errors, diagnostics.type_issues, diagnostics.warnings]) {
    const dropped = list.splice(max);
    const [first] = dropped;
    if (first === undefined) continue;
    list.push({
      code: first.code,
      message: `...and ${dropped.length} more findings; only the first ${max} are listed`,
    });
  }
}
