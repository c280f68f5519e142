/**
 * The command line's human output: values made safe for a terminal, and tables with a header
 * row. A value from the store (a username, a user agent) is printed with its control characters
 * escaped, so that it cannot forge a line or a column, or send escape sequences to the terminal.
 */

/** A stored value, one line, with control characters (C0, DEL, C1) and backslashes escaped. */
export function safeText(value: string | null): string {
  if (value === null) return '-'
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return value.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) => {
    const named = JSON.stringify(c).slice(1, -1)
    return named.length === 2 ? named : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

/** At most `max` characters, an ellipsis marking a cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** A time in UTC to the second: `2030-01-01 00:15:00Z`. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`
}

/** Rows under a header, columns padded to their widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) =>
    Math.max(Array.from(title).length, ...rows.map((row) => Array.from(row[i] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1
          ? cell
          : cell.padEnd((widths[i] ?? 0) + cell.length - Array.from(cell).length),
      )
      .join('  ')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}
