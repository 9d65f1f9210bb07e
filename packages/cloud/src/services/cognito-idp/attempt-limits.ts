import type { SqlStore } from '../../engines/types.js';

/** One counter that an attempt (a code typed, a code sent, a sign-up) counts against. */
export interface LimitRule {
  /** Who is counted, like `code/user/<poolId>/<username>` or `code/address/<ip>`; never a secret. */
  key: string;
  /** Attempts allowed in one window. */
  max: number;
  windowMs: number;
  /** How long reaching `max` then refuses every attempt, right ones too; 0: until the window ends. */
  lockMs: number;
}

interface CounterRow {
  count: number;
  window_ends: number;
  locked_until: number;
}

/**
 * Most counters kept; beyond it the oldest unlocked ones go, so a flood of names cannot fill the disk or lift
 * a lock. The table may hold more for a moment: what attempts add between two sweeps.
 */
export const MAX_COUNTERS = 100_000;

/** How often at most each process deletes expired counters and holds the table to its cap. */
export const SWEEP_INTERVAL_MS = 10_000;

/**
 * Attempt counters in SQL (`cognito_attempts`), so a restart neither forgives a lock nor resets a count.
 * Each attempt is counted before it is checked and in one transaction with the test of its limits, so
 * concurrent attempts cannot all slip under a count; a right one is then forgiven (`succeeded`). A
 * counter lives for its window (or its lock): an expired one counts for nothing and starts over at the
 * next attempt. The transaction touches only the attempt's own counters, so concurrent attempts on other
 * names do not conflict (PostgreSQL's serializable transactions would run them again); deleting expired
 * counters and holding the table to `maxCounters` is done after an attempt that added a counter, at most
 * once every `sweepIntervalMs`, each statement on its own.
 */
export function createAttemptLimits(sql: SqlStore, options: { maxCounters?: number; sweepIntervalMs?: number; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const maxCounters = options.maxCounters ?? MAX_COUNTERS;
  const sweepIntervalMs = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
  let sweptAt = -Infinity;
  const lock = async (tx: SqlStore, rule: LimitRule, at: number): Promise<void> => {
    // The count starts over when the lock ends.
    if (rule.lockMs > 0)
      await tx.run('UPDATE cognito_attempts SET locked_until = ?, window_ends = ? WHERE limit_key = ?', [at + rule.lockMs, at + rule.lockMs, rule.key]);
  };
  /** The rule's counter: `live` none once its window (or its lock) ended; `stored` whether a row is left. */
  const counter = async (tx: SqlStore, rule: LimitRule, at: number): Promise<{ live: CounterRow | undefined; stored: boolean }> => {
    const row = await tx.get<CounterRow>('SELECT count, window_ends, locked_until FROM cognito_attempts WHERE limit_key = ?', [rule.key]);
    return { live: row && row.window_ends > at ? row : undefined, stored: row !== undefined };
  };
  const sweep = async (at: number): Promise<void> => {
    await sql.run('DELETE FROM cognito_attempts WHERE window_ends <= ?', [at]);
    const total = (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_attempts'))?.n ?? 0;
    if (total > maxCounters) {
      await sql.run(
        'DELETE FROM cognito_attempts WHERE limit_key IN (SELECT limit_key FROM cognito_attempts WHERE locked_until <= ? ORDER BY window_ends LIMIT ?)',
        [at, total - maxCounters],
      );
    }
  };
  return {
    /**
     * Counts one attempt against every rule, or against none: answers the first rule that refuses it
     * (locked, or its count already reached, which locks it now), else undefined.
     */
    async take(rules: readonly LimitRule[]): Promise<LimitRule | undefined> {
      const at = now();
      let added = false;
      const refused = await sql.transaction(async (tx) => {
        added = false;
        const found = new Map<string, CounterRow>();
        // Expired counters not swept yet: started over below rather than inserted.
        const stale = new Set<string>();
        for (const rule of rules) {
          const { live: row, stored } = await counter(tx, rule, at);
          if (!row) {
            if (stored) stale.add(rule.key);
            continue;
          }
          if (row.locked_until > at) return rule;
          if (row.count >= rule.max) {
            await lock(tx, rule, at);
            return rule;
          }
          found.set(rule.key, row);
        }
        for (const rule of rules) {
          if (found.has(rule.key)) {
            await tx.run('UPDATE cognito_attempts SET count = count + 1 WHERE limit_key = ?', [rule.key]);
          } else if (stale.has(rule.key)) {
            await tx.run('UPDATE cognito_attempts SET count = 1, window_ends = ?, locked_until = 0 WHERE limit_key = ?', [at + rule.windowMs, rule.key]);
          } else {
            await tx.run('INSERT INTO cognito_attempts (limit_key, count, window_ends, locked_until) VALUES (?, 1, ?, 0)', [rule.key, at + rule.windowMs]);
            added = true;
          }
        }
        return undefined;
      });
      if (added && at - sweptAt >= sweepIntervalMs) {
        sweptAt = at;
        await sweep(at);
      }
      return refused;
    },

    /** The attempt taken was wrong: a rule that has reached its count locks now. Answers the first rule locked now, if any. */
    async failed(rules: readonly LimitRule[]): Promise<LimitRule | undefined> {
      const at = now();
      return sql.transaction(async (tx) => {
        let locked: LimitRule | undefined;
        for (const rule of rules) {
          const row = (await counter(tx, rule, at)).live;
          if (row && row.count >= rule.max && row.locked_until <= at && rule.lockMs > 0) {
            await lock(tx, rule, at);
            locked ??= rule;
          }
        }
        return locked;
      });
    },

    /**
     * The attempt taken was right: the counters of `reset` start over (the user's), and the attempt no
     * longer counts against those of `forgive` (the address's, which other users share).
     */
    async succeeded(options: { reset: readonly LimitRule[]; forgive: readonly LimitRule[] }): Promise<void> {
      const at = now();
      await sql.transaction(async (tx) => {
        for (const rule of options.reset) await tx.run('DELETE FROM cognito_attempts WHERE limit_key = ? AND locked_until <= ?', [rule.key, at]);
        for (const rule of options.forgive)
          await tx.run('UPDATE cognito_attempts SET count = count - 1 WHERE limit_key = ? AND count > 0 AND locked_until <= ?', [rule.key, at]);
      });
    },
  };
}

export type AttemptLimits = ReturnType<typeof createAttemptLimits>;
