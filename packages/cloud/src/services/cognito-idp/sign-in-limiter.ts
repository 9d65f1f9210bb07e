/** Where failed sign-ins are kept across restarts; the limiter answers from memory and writes here behind. */
export interface SignInFailureLog {
  record(key: string, at: number): Promise<void>;
  /** Drops the failures of `key` (a sign-in succeeded). */
  forget(key: string): Promise<void>;
  /** The failures at or after `since`, oldest first. */
  since(since: number): Promise<Array<{ key: string; at: number }>>;
}

/** Most users and addresses with recent failures held in memory; beyond it the one that failed longest ago goes. */
export const MAX_SIGN_IN_KEYS = 100_000;

/**
 * Counts failed sign-ins per user and per client address in a sliding window, in memory so the check
 * costs nothing. With a `log` (SQL), every failure and forgiveness is also written there in the
 * background and `restore()` reads the last window back at start, so a restart does not forgive; a
 * write that fails is reported to `onError` and the count in memory still holds.
 */
export function createSignInLimiter(options: {
  perUser: number;
  perAddress: number;
  windowMs: number;
  maxKeys?: number;
  log?: SignInFailureLog;
  onError?: (error: unknown) => void;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? MAX_SIGN_IN_KEYS;
  /** Failure times per key, keys in the order of their latest failure (oldest first). */
  const failures = new Map<string, number[]>();
  const recent = (key: string, at: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => at - t < options.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  const add = (key: string, at: number): void => {
    const list = recent(key, at);
    failures.delete(key); // re-inserted last: the map stays in order of latest failure
    failures.set(key, [...list, at]);
    if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
  };
  /** Attempts being checked right now, per key: they count against the limits until their outcome is known. */
  const inFlight = new Map<string, number>();
  const pending = (key: string): number => inFlight.get(key) ?? 0;
  const move = (key: string, by: number): void => {
    const count = pending(key) + by;
    if (count > 0) inFlight.set(key, count);
    else inFlight.delete(key);
  };
  const write = (promise: Promise<void> | undefined): void => {
    promise?.catch((error: unknown) => options.onError?.(error));
  };
  return {
    /** Which limit, if any, the next attempt would exceed. */
    blocked(userKey: string, address: string): 'user' | 'address' | undefined {
      const at = now();
      if (recent(`a:${address}`, at).length + pending(`a:${address}`) >= options.perAddress) return 'address';
      if (recent(`u:${userKey}`, at).length + pending(`u:${userKey}`) >= options.perUser) return 'user';
      return undefined;
    },
    /**
     * Checks the limits and counts the attempt in one synchronous step, so guesses sent at once cannot all
     * pass the check before the first of them has failed: until `end` is called the attempt counts as a
     * failure. `end(false)` records it as one; `end(true)` lets it go. Call `end` exactly once.
     */
    begin(userKey: string, address: string): { blocked: 'user' | 'address' | undefined; end(ok: boolean): void } {
      const blocked = this.blocked(userKey, address);
      if (blocked) return { blocked, end: () => undefined };
      const keys = [`u:${userKey}`, `a:${address}`];
      for (const key of keys) move(key, 1);
      let ended = false;
      return {
        blocked,
        end: (ok) => {
          if (ended) return;
          ended = true;
          for (const key of keys) move(key, -1);
          if (!ok) this.fail(userKey, address);
        },
      };
    },
    fail(userKey: string, address: string): void {
      const at = now();
      for (const key of [`u:${userKey}`, `a:${address}`]) {
        add(key, at);
        write(options.log?.record(key, at));
      }
    },
    succeed(userKey: string): void {
      const key = `u:${userKey}`;
      if (!failures.delete(key)) return;
      write(options.log?.forget(key));
    },
    /** Reads back the failures of the last window from the log (at start, before any request). */
    async restore(): Promise<void> {
      if (!options.log) return;
      for (const { key, at } of await options.log.since(now() - options.windowMs)) add(key, at);
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
