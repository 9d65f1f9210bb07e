/** The part of a `Writable` (a log file's `fs.WriteStream`) that the batcher writes to. */
export interface LineSink {
  write(chunk: string): unknown;
  end(callback?: () => void): unknown;
}

/** How long a log line may wait for others to share its write, and how much may wait. */
const FLUSH_MS = 10;
const FLUSH_BYTES = 64 * 1024;

/**
 * Joins log lines into one write every few milliseconds. A busy cloud logs one line per request; written
 * one by one to a file stream, each line costs a hand-off to the thread pool and a system call, about as
 * much CPU as the rest of a small API call. Lines keep their order; `end` writes what waits, then ends the
 * sink. A crash loses at most the last `FLUSH_MS` of lines (a file stream's own pending writes are lost too).
 */
export function createBatchedLogStream(sink: LineSink, options: { flushMs?: number; flushBytes?: number } = {}) {
  const flushMs = options.flushMs ?? FLUSH_MS;
  const flushBytes = options.flushBytes ?? FLUSH_BYTES;
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    sink.write(chunk);
  };
  return {
    write(line: string): void {
      pending += line;
      if (pending.length >= flushBytes) flush();
      else timer ??= setTimeout(flush, flushMs);
    },
    /** Writes the lines still waiting, then ends the sink. */
    end(callback?: () => void): void {
      flush();
      sink.end(callback);
    },
  };
}
