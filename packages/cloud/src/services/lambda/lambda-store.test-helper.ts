import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createFsBlobStore } from '../../engines/fs-blobs/fs-blob-store.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { createCodeBlobs } from './code-blobs.js';
import type { FunctionConfig, StoredFunction } from './function-store.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';

/**
 * A function as the function store keeps it: `nodejs20.x`, 128 MB, 3 s, no variables or layers, revision `r1`;
 * `changes` replace any of that (`config` field by field).
 */
export function storedFunction(
  name: string,
  changes: Partial<Omit<StoredFunction, 'name' | 'arn' | 'config'>> & { config?: Partial<FunctionConfig> } = {},
): StoredFunction {
  const { config, ...rest } = changes;
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    config: {
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      role: 'arn:aws:iam::123456789012:role/r',
      memoryMb: 128,
      timeoutSeconds: 3,
      variables: {},
      layers: [],
      ...config,
    },
    codeSha256: 'sha',
    codeSize: 1,
    revision: 'r1',
    lastModified: '2026-12-01T00:00:00.000Z',
    ...rest,
  };
}

/**
 * One migrated database and one blob store, as the instances of a cluster share them, and the code zips kept in
 * them, in a temporary folder (`root`, each instance's code folder goes below it) removed after the file's tests.
 * The zips' clock stands still until `advance` moves it.
 */
export async function sharedCodeStorage(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  const sql = createSqliteStore(':memory:');
  await sql.migrate('lambda', LAMBDA_MIGRATIONS);
  const blobs = createFsBlobStore(join(root, 'blobs'));
  let clock = Date.now();
  const zips = createCodeBlobs({ sql, blobs, now: () => clock });
  return { root, sql, blobs, zips, advance: (ms: number) => void (clock += ms) };
}
