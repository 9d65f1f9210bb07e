const MAX_CELLS = 4_000_000;

/** One line of a line diff: kept, removed (`-`) or added (`+`). */
interface Edit {
  kind: ' ' | '-' | '+';
  text: string;
  /** 1-based line numbers in the old and new text (of the line, or of the line that follows it). */
  oldLine: number;
  newLine: number;
}

/**
 * The edits turning `before` into `after` by a longest common subsequence of lines. The common head and
 * tail are matched first, so a change to one field of a long schema costs only the changed region's
 * square, not the whole text's.
 */
function edits(before: string[], after: string[]): Edit[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  // Past a few million cells (two big texts rewritten throughout), the region is shown as replaced whole.
  const width = b.length + 1;
  const tooBig = (a.length + 1) * width > MAX_CELLS;
  // lcs[i * (b.length + 1) + j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array(tooBig ? 0 : (a.length + 1) * width);
  for (let i = tooBig ? -1 : a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const out: Edit[] = [];
  const push = (kind: Edit['kind'], text: string, i: number, j: number): void => void out.push({ kind, text, oldLine: i + 1, newLine: j + 1 });
  for (let k = 0; k < head; k++) push(' ', before[k] ?? '', k, k);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (tooBig) {
      if (i < a.length) push('-', a[i] ?? '', head + i++, head + j);
      else push('+', b[j] ?? '', head + i, head + j++);
    } else if (i < a.length && j < b.length && a[i] === b[j]) {
      push(' ', a[i] ?? '', head + i++, head + j++);
    } else if (i < a.length && (j === b.length || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
      push('-', a[i] ?? '', head + i++, head + j);
    } else {
      push('+', b[j] ?? '', head + i, head + j++);
    }
  }
  for (let k = 0; k < tail; k++) push(' ', before[before.length - tail + k] ?? '', before.length - tail + k, after.length - tail + k);
  return out;
}

/**
 * A unified diff of two texts, line by line: hunks (`@@ -old,count +new,count @@`) of removed (`- `) and
 * added (`+ `) lines with `context` unchanged lines around them (`  `). Empty when the texts are equal.
 */
export function diffLines(before: string, after: string, context = 2): string[] {
  const all = edits(before.split('\n'), after.split('\n'));
  const changed = all.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] ?? 0) - context);
    // A hunk runs on while the next change is close enough for their context lines to touch.
    let last = changed[k] ?? 0;
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - last <= 2 * context + 1) last = changed[++k] ?? last;
    k++;
    const end = Math.min(all.length, last + context + 1);
    const hunk = all.slice(start, end);
    const first = hunk[0];
    if (!first) continue;
    const olds = hunk.filter((e) => e.kind !== '+').length;
    const news = hunk.filter((e) => e.kind !== '-').length;
    out.push(`@@ -${olds > 0 ? first.oldLine : first.oldLine - 1},${olds} +${news > 0 ? first.newLine : first.newLine - 1},${news} @@`);
    for (const edit of hunk) out.push(`${edit.kind} ${edit.text}`);
  }
  return out;
}
