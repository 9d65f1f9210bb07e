import type { SqlStore } from '../../engines/types.js';

/**
 * Every text the database holds, table by table (BLOBs as latin1), except the test resource's own state (the
 * "service" a NoEcho value is meant for): a test looks for a value in clear in it.
 */
export async function storedText(sql: SqlStore): Promise<string> {
  const tables =
    sql.dialect === 'sqlite'
      ? await sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      : await sql.all<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()');
  let text = '';
  for (const { name } of tables) {
    if (name === 'control_test_resources') continue;
    const rows = await sql.all<Record<string, unknown>>(`SELECT * FROM ${name}`);
    text += JSON.stringify(rows, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('latin1') : value));
  }
  return text;
}
