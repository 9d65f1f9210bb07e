import { randomBytes } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import type { ResourceHandler } from '../../kernel/types.js';

/**
 * A resource type for fault tests only (registered when the cloud runs with test faults on). Properties:
 * `Value` (kept in SQL so tests can see old and new state), `Name` (the physical id; changing it means
 * replacement), `FailOn` ('create' | 'update' | 'delete'), `HangOn` ('create' | 'update': writes, then
 * never returns, to test crashes; a create that adopts an existing resource returns), `DelayMs`, `ReplaceOnUpdate` (update answers 'replace').
 */
export const TEST_RESOURCE_TYPE = 'Forte::Test::Resource';

export function createTestResourceHandler(sql: SqlStore): ResourceHandler {
  const prepare = async (props: Record<string, unknown>, operation: 'create' | 'update' | 'delete'): Promise<void> => {
    const delay = Number(props['DelayMs'] ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (props['FailOn'] === operation) throw new Error(`FailOn ${operation}: this test resource fails to ${operation}`);
  };
  const store = async (physicalId: string, props: Record<string, unknown>): Promise<void> => {
    const value = JSON.stringify(props['Value'] ?? null);
    const changed = await sql.run('UPDATE control_test_resources SET value = ? WHERE physical_id = ?', [value, physicalId]);
    if (changed.changes === 0) await sql.run('INSERT INTO control_test_resources (physical_id, value) VALUES (?, ?)', [physicalId, value]);
  };
  const hang = (): Promise<never> => new Promise<never>(() => undefined);
  const attributes = (physicalId: string, props: Record<string, unknown>): Record<string, unknown> => ({ Name: physicalId, Value: props['Value'] ?? null });
  return {
    replaceOn: ['Name'],
    async create(props, ctx) {
      await prepare(props, 'create');
      const physicalId = typeof props['Name'] === 'string' ? props['Name'] : `${ctx.stackName}-${ctx.logicalId}-${randomBytes(4).toString('hex')}`;
      const adopting = (await readTestResourceValue(sql, physicalId)) !== undefined;
      await store(physicalId, props);
      // Only a create that makes the resource hangs; one that adopts it (as recovery does) returns.
      if (props['HangOn'] === 'create' && !adopting) await hang();
      return { physicalId, attributes: attributes(physicalId, props) };
    },
    async update(physicalId, props) {
      await prepare(props, 'update');
      if (props['ReplaceOnUpdate'] === true) return 'replace';
      await store(physicalId, props);
      if (props['HangOn'] === 'update') await hang();
      return { physicalId, attributes: attributes(physicalId, props) };
    },
    async delete(physicalId, props) {
      await prepare(props, 'delete');
      await sql.run('DELETE FROM control_test_resources WHERE physical_id = ?', [physicalId]);
    },
  };
}

/** The stored Value of a test resource (undefined when it does not exist). */
export async function readTestResourceValue(sql: SqlStore, physicalId: string): Promise<unknown> {
  const row = await sql.get<{ value: string }>('SELECT value FROM control_test_resources WHERE physical_id = ?', [physicalId]);
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}
