import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { sqlStoreContract } from '../sql-store-contract.js';
import { createSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

sqlStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-sqlite-'));
  dirs.push(dir);
  return createSqliteStore(join(dir, 'test.db'));
});
