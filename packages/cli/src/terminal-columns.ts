/**
 * The terminal's width when stdout is one, else undefined: output sent to a file or a pipe (CI logs) keeps
 * every name whole, and only what a person reads in a terminal is fitted to it.
 */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : undefined;
}
