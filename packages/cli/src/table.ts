/** Rows as aligned columns, two spaces apart, without trailing blanks; one line each. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const table = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? '').length)),
  );
  return (
    table
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
