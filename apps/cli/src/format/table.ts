/** A column of a plain-text table: header, how to read a cell, and alignment. */
export interface Column<T> {
  header: string;
  value(row: T): string | number | undefined;
  align?: 'left' | 'right';
  /** Longest cell before it is cut with "…" (default 60). */
  maxWidth?: number;
}

/**
 * Rows as a table padded with spaces: a header line, then one line per row, columns two spaces
 * apart, no trailing blanks. Pure: the same rows give the same text.
 */
export function formatTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cells = rows.map((row) =>
    columns.map((column) => clip(String(column.value(row) ?? '-'), column.maxWidth ?? 60)),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n') + '\n';
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** "key: value" lines with the keys padded to one width. */
export function formatFields(fields: ReadonlyArray<[string, string | number | undefined]>): string {
  const present = fields.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(0, ...present.map(([key]) => key.length));
  return present.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${String(value)}`).join('\n') + '\n';
}
