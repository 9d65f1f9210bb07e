import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUSY_ATTEMPTS, isBusyStore, retryWhileBusy } from './busy-store.js';
import { AppSyncFieldError } from './field-error.js';

/** An error as the drivers throw them: better-sqlite3's SqliteError and pg's DatabaseError carry `code`. */
const driverError = (code: string): Error => Object.assign(new Error(`store said ${code}`), { code });

void describe('busy store', () => {
  void it("knows SQLite's busy and locked and PostgreSQL's serialization failure, deadlock and lock timeout, also as a cause", () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '40001', '40P01', '55P03'])
      assert.equal(isBusyStore(driverError(code)), true, code);
    assert.equal(isBusyStore(new Error('wrapped', { cause: driverError('SQLITE_BUSY') })), true);
    for (const code of ['SQLITE_CONSTRAINT', '23505', 'ConditionalCheckFailedException']) assert.equal(isBusyStore(driverError(code)), false, code);
    assert.equal(isBusyStore(new Error('no code')), false);
  });

  void it('runs the write again while the store is busy, and answers what it finally does', async () => {
    let runs = 0;
    const answer = await retryWhileBusy(async () => {
      runs++;
      if (runs < BUSY_ATTEMPTS) throw driverError('SQLITE_BUSY');
      return 'written';
    });
    assert.deepEqual({ answer, runs }, { answer: 'written', runs: BUSY_ATTEMPTS });
  });

  void it('past its attempts refuses with "Network Error"; any other error at once, as it is', async () => {
    let runs = 0;
    await assert.rejects(
      retryWhileBusy(() => {
        runs++;
        return Promise.reject(driverError('40001'));
      }),
      (error: unknown) => error instanceof AppSyncFieldError && error.message === 'Network Error' && error.errorType === 'ServiceUnavailable',
    );
    assert.equal(runs, BUSY_ATTEMPTS);
    const other = driverError('23505');
    runs = 0;
    await assert.rejects(
      retryWhileBusy(() => {
        runs++;
        return Promise.reject(other);
      }),
      (error: unknown) => error === other,
    );
    assert.equal(runs, 1);
  });
});
