/** Prints rows as aligned columns under a header; `(none)` when there are no rows. */
export function printTable(headers: string[], rows: (string | number | boolean | null | undefined)[][]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  for (const row of cells) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  }
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Notes and warnings go to stderr, so stdout stays parseable (`$(tessera apps add-secret ...)`). */
export function printNote(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function formatDate(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
