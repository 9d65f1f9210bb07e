/**
 * A box table like cli-table3's default style (as Amplify prints `status`): one space of padding, a rule
 * between every row. The first row is the header.
 */
export function boxTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => visibleLength(r[c] ?? ''))));
  const rule = (left: string, mid: string, right: string): string => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const line = (row: string[]): string => '│' + widths.map((w, c) => ` ${pad(row[c] ?? '', w)} `).join('│') + '│';
  const out = [rule('┌', '┬', '┐')];
  rows.forEach((row, i) => {
    if (i > 0) out.push(rule('├', '┼', '┤'));
    out.push(line(row));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}
