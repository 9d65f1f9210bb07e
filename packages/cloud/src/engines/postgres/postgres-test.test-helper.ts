import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { checkPostgres, dropPostgresSchema } from './postgres-store.js';

/** The PostgreSQL server tests use: FORTE_TEST_POSTGRES_URL, else the machine's local one. */
export const TEST_POSTGRES_SERVER = process.env.FORTE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the test server answers; when it does not, the reason to print with the skip. */
export const testPostgres = async (): Promise<{ ok: true } | { ok: false; reason: string }> => {
  const found = await checkPostgres(TEST_POSTGRES_SERVER);
  return found.ok ? found : { ok: false, reason: `${found.reason}: start it or set FORTE_TEST_POSTGRES_URL` };
};

/** A URL for a fresh schema on the test server, dropped after the test file. */
export function freshPostgresUrl(): string {
  const url = new URL(TEST_POSTGRES_SERVER);
  url.searchParams.set('schema', `forte_t_${randomBytes(8).toString('hex')}`);
  url.searchParams.set('pool', '4');
  after(() => dropPostgresSchema(url.toString()));
  return url.toString();
}
