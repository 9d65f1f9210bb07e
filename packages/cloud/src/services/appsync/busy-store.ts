import { setTimeout as delay } from 'node:timers/promises';
import { AppSyncFieldError } from './field-error.js';

/**
 * The store's answers that mean "busy, try again": SQLite's busy and locked (another connection holds the
 * write lock past the busy timeout) and PostgreSQL's serialization failure, deadlock and lock timeout.
 */
const BUSY_SQLITE = /^SQLITE_(BUSY|LOCKED)/;
const BUSY_POSTGRES = new Set(['40001', '40P01', '55P03']);

/** Whether `error` (or one of its causes) is the store saying it is busy. */
export function isBusyStore(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (BUSY_SQLITE.test(code) || BUSY_POSTGRES.has(code))) return true;
  }
  return false;
}

/** A mutation runs again this many times in all while the store stays busy. */
export const BUSY_ATTEMPTS = 3;

/**
 * The refusal of a mutation the store stayed too busy to take: `message` "Network Error" is the one answer
 * DataStore keeps in its outbox and sends again later (any other error makes it drop the mutation), so a
 * transient refusal must never lose a queued write. `errorInfo` says what happened.
 */
export const storeBusy = (cause: unknown): AppSyncFieldError =>
  new AppSyncFieldError('ServiceUnavailable', 'Network Error', {
    cause,
    errorInfo: { reason: `The data store stayed busy through ${BUSY_ATTEMPTS} attempts; nothing was written. Send the mutation again.` },
  });

/**
 * Runs one mutation's reads and write, again (after a short jittered pause) when the store answers busy, so
 * that contention never reaches the client as an error; past BUSY_ATTEMPTS, storeBusy.
 */
export async function retryWhileBusy<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isBusyStore(error)) throw error;
      if (attempt >= BUSY_ATTEMPTS) throw storeBusy(error);
    }
    await delay(Math.random() * 25 * 2 ** attempt);
  }
}
