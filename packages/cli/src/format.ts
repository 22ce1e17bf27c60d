// Output helpers. Kafka's tools print tables with Java's printf ("%-15s" columns, each at least as wide as its
// longest cell, one space between), so the layouts here are built the same way and compared against Kafka's
// column widths in golden tests. JSON output serialises bigints as decimal strings (ARCHITECTURE.md §9.7).

/** Java's `%-Ns`: left-aligned, padded to at least `width`. */
export function left(value: string, width: number): string {
  return value.padEnd(width)
}

/** One row of `%-w1s %-w2s ... %s`: every column padded to its width except a last column of width 0. */
export function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => left(cell, widths[i] ?? 0)).join(' ')
}

/** The widest of `minimum` and the cells. */
export function widthOf(minimum: number, cells: Iterable<string>): number {
  let width = minimum
  for (const cell of cells) width = Math.max(width, cell.length)
  return width
}

/** The width of a table column: the widest of `minimum` and the column's value in every row. */
export function columnWidth<R>(minimum: number, rows: readonly R[], value: (row: R) => string): number {
  return widthOf(minimum, rows.map(value))
}

export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n'
}

/** What Kafka prints for an absent value in tables. */
export const MISSING = '-'

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError) {
    return error.errors.map((e) => errorMessage(e)).join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}
