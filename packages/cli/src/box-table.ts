/** Narrowest a column is made to fit the terminal: enough for a few characters on each side of `…`. */
const MIN_COLUMN = 7;

/**
 * A box table like cli-table3's default style (as Amplify prints `status`): one space of padding, a rule
 * between every row. The first row is the header. With `maxWidth` (the terminal's columns), a table wider
 * than that is narrowed, widest column first, by cutting the middle of long cells with `…`, so names keep
 * both their start and their distinguishing end.
 */
export function boxTable(rows: string[][], options: { maxWidth?: number } = {}): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => visibleLength(r[c] ?? ''))));
  if (options.maxWidth !== undefined) fitWidths(widths, options.maxWidth);
  const rule = (left: string, mid: string, right: string): string => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const line = (row: string[]): string => '│' + widths.map((w, c) => ` ${pad(truncateMiddle(row[c] ?? '', w), w)} `).join('│') + '│';
  const out = [rule('┌', '┬', '┐')];
  rows.forEach((row, i) => {
    if (i > 0) out.push(rule('├', '┼', '┤'));
    out.push(line(row));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** Narrows the widest column one character at a time until the table (borders and padding included) fits. */
function fitWidths(widths: number[], maxWidth: number): void {
  const total = (): number => widths.reduce((sum, w) => sum + w + 3, 1);
  while (total() > maxWidth) {
    const widest = widths.reduce((best, w, c) => (w > (widths[best] ?? 0) ? c : best), 0);
    const width = widths[widest] ?? 0;
    if (width <= MIN_COLUMN) return;
    widths[widest] = width - 1;
  }
}

/**
 * `text` cut to `width` visible characters by replacing its middle with `…` (colour codes are dropped
 * from a cut cell). Unchanged when it fits.
 */
export function truncateMiddle(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  const plain = text.replace(ANSI, '');
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  const keep = width - 1;
  const head = Math.ceil(keep / 2);
  return `${plain.slice(0, head)}…${plain.slice(plain.length - (keep - head))}`;
}

const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}
