import { createHash, randomBytes } from 'node:crypto';
import { checkPostgres, dropPostgresSchema } from '@forte/cloud';

/** The PostgreSQL server tests use: FORTE_TEST_POSTGRES_URL, else the machine's local one. */
export const TEST_POSTGRES_SERVER = process.env.FORTE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A database URL for one test cloud: the test server with a schema of its own. The same `key` (a cloud's
 * data folder) gives the same schema, so a cloud restarted on its folder finds its data again; without
 * one, a fresh schema. Drop it with `dropTestSchema` when the cloud is gone for good.
 */
export function postgresTestUrl(key?: string): string {
  const id = key === undefined ? randomBytes(8).toString('hex') : createHash('sha256').update(key).digest('hex').slice(0, 16);
  const url = new URL(TEST_POSTGRES_SERVER);
  url.searchParams.set('schema', `forte_t_${id}`);
  url.searchParams.set('pool', '4');
  return url.toString();
}

/** Drops a test cloud's schema; a server that went away has nothing to clean. */
export const dropTestSchema = (url: string): Promise<void> => dropPostgresSchema(url).catch(() => undefined);

/** Whether the test server answers; when it does not, the reason to print with a skip. */
export async function testPostgres(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const found = await checkPostgres(TEST_POSTGRES_SERVER);
  return found.ok ? found : { ok: false, reason: `${found.reason}: start it or set FORTE_TEST_POSTGRES_URL` };
}
