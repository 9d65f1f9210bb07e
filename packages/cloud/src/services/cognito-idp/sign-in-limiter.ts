/**
 * Counts failed sign-ins per user and per client address in a sliding window. In memory on purpose:
 * a restart forgives, as Cognito's own lockout eventually does.
 */
export function createSignInLimiter(options: { perUser: number; perAddress: number; windowMs: number }) {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < options.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  return {
    /** Which limit, if any, the next attempt would exceed. */
    blocked(userKey: string, address: string): 'user' | 'address' | undefined {
      const now = Date.now();
      if (recent(`a:${address}`, now).length >= options.perAddress) return 'address';
      if (recent(`u:${userKey}`, now).length >= options.perUser) return 'user';
      return undefined;
    },
    fail(userKey: string, address: string): void {
      const now = Date.now();
      for (const key of [`u:${userKey}`, `a:${address}`]) failures.set(key, [...recent(key, now), now]);
    },
    succeed(userKey: string): void {
      failures.delete(`u:${userKey}`);
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
