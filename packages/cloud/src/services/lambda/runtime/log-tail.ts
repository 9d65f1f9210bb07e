/** What X-Amz-Log-Result carries: the last 4 KB of an invocation's log. */
export const TAIL_BYTES = 4096;

/** The last lines of an invocation's log, enough for its 4 KB tail: a function that logs a lot costs no memory. */
export interface LogTail {
  push(line: string): void;
  /** The last 4 KB of the lines pushed, each ended by a newline. */
  text(): string;
}

export function createLogTail(): LogTail {
  const lines: string[] = [];
  let bytes = 0;
  return {
    push(line) {
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
      // Lines that end before the last 4 KB can go: what remains still covers the tail.
      while (lines.length > 1 && bytes - Buffer.byteLength(lines[0] ?? '') - 1 >= TAIL_BYTES) bytes -= Buffer.byteLength(lines.shift() ?? '') + 1;
    },
    text() {
      const all = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString('utf8');
    },
  };
}
