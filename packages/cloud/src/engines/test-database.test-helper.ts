import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after } from 'node:test';
import { TEST_POSTGRES_SERVER } from './postgres/postgres-test.test-helper.js';
import { dropPostgresSchema, openPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { SqlStore } from './types.js';

const dropped = new Set<string>();

/**
 * The database a test keeps in `dir`: the SQLite file `cloud.db`, or, when
 * FORTE_TEST_DATABASE=postgres, a schema of the test server named after `dir` (dropped after the file),
 * so opening the same folder again finds the same data, as a restarted cloud does.
 */
export async function openTestStore(dir: string): Promise<SqlStore> {
  if (process.env.FORTE_TEST_DATABASE !== 'postgres') return createSqliteStore(join(dir, 'cloud.db'));
  const url = new URL(TEST_POSTGRES_SERVER);
  url.searchParams.set('schema', `forte_t_${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
  url.searchParams.set('pool', '4');
  const text = url.toString();
  if (!dropped.has(text)) {
    dropped.add(text);
    after(() => dropPostgresSchema(text));
  }
  return openPostgresStore(text);
}
