import { createHash } from 'node:crypto';
import type { SqlStore } from '../types.js';

/**
 * Makes the transactions that append to one log (`log`: any name, e.g. a stream's ARN) commit in the order in
 * which they take their positions, when called in the transaction before it takes one. Readers of a log page
 * on by position ("after n"), so a position committed after a higher one would never be read.
 *
 * SQLite: transactions run one at a time already (nothing to do). PostgreSQL: concurrent transactions may
 * commit in any order, so each takes a lock of its own for the log, held until it commits or rolls back.
 */
export async function lockAppendOrder(tx: SqlStore, log: string): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  await tx.get('SELECT pg_advisory_xact_lock(?)', [lockKey(log)]);
}

/** A 64-bit lock key for a name (as a signed decimal string: PostgreSQL's bigint, beyond JS numbers). */
const lockKey = (log: string): string => createHash('sha256').update(`forte-append:${log}`).digest().readBigInt64BE(0).toString();
