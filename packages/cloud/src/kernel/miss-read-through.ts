/** How long after a read for an id another miss of that id is answered from memory (no read). */
const DEFAULT_QUIET_MS = 1000;
/** Past this many remembered ids, those whose quiet time has passed are dropped (all of them if none has). */
const MAX_REMEMBERED = 10_000;

/**
 * Bounds the database reads a per-process cache makes when a request names what it does not hold (see
 * `createMissReadThrough`).
 */
export interface MissReadThrough {
  /**
   * Reads `id` again through `load`, unless a read of it is running (then waits for that one) or one
   * ended less than the quiet time ago (then returns at once: the caller answers with what it holds).
   */
  check(id: string, load: () => Promise<void>): Promise<void>;
}

/**
 * A cache kept in memory and told of other instances' writes by the bus can be behind the database for a
 * moment (the message is under way, or lost). A request that finds nothing (an unknown id, a key the cached
 * state lacks) reads through to the database before it is refused; this keeps a flood of requests for ids
 * that do not exist from becoming a flood of reads: one read per id at a time (the others wait for it), and
 * none for `quietMs` (1 s) after it ended.
 */
export function createMissReadThrough(options: { quietMs?: number; now?: () => number } = {}): MissReadThrough {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  const endedAt = new Map<string, number>();
  const remember = (id: string): void => {
    if (endedAt.size >= MAX_REMEMBERED) {
      const at = now();
      for (const [known, ended] of endedAt) if (at - ended >= quietMs) endedAt.delete(known);
      if (endedAt.size >= MAX_REMEMBERED) endedAt.clear();
    }
    endedAt.set(id, now());
  };
  return {
    check(id, load) {
      const pending = running.get(id);
      if (pending) return pending;
      const ended = endedAt.get(id);
      if (ended !== undefined && now() - ended < quietMs) return Promise.resolve();
      const started = (async () => load())().finally(() => {
        running.delete(id);
        remember(id);
      });
      running.set(id, started);
      return started;
    },
  };
}
