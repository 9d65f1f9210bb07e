import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { createFunctionStore, type StoredFunction } from './function-store.js';
import { storedFunction } from './lambda-store.test-helper.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';
import { createPermissionCache } from './permission-cache.js';

const gateway = { FunctionName: 'fn', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' };
const fn = (name: string): StoredFunction => storedFunction(name);

/** A function store on a fresh database, counting the reads the cache makes of it. */
async function countedStore(): Promise<{
  store: ReturnType<typeof createFunctionStore>;
  reads: () => number;
  cache: ReturnType<typeof createPermissionCache>;
}> {
  const sql = createSqliteStore(':memory:');
  await sql.migrate('lambda', LAMBDA_MIGRATIONS);
  const store = createFunctionStore(sql);
  let reads = 0;
  const cache = createPermissionCache({
    get: (name, options) => (reads++, store.get(name, options)),
    policiesOf: (name) => (reads++, store.policiesOf(name)),
  });
  return { store, reads: () => reads, cache };
}

void describe('the permission cache', () => {
  void it("reads a function's permission statements once, until that function is invalidated", async () => {
    const { store, reads, cache } = await countedStore();
    await store.put(fn('fn'));
    await store.put(fn('other'));
    await store.putPolicy('p1', 'permission', 'fn', gateway);
    await store.putPolicy('l1', 'layer-permission', 'fn', { Action: 'lambda:GetLayerVersion' });
    assert.deepEqual(await cache.of('fn'), { arn: fn('fn').arn, statements: [gateway] }, 'only the permission statements');
    const afterFirst = reads();
    assert.deepEqual((await cache.of('fn')).statements, [gateway]);
    assert.equal(reads(), afterFirst, 'the second ask reads nothing');

    await store.deletePolicy('p1');
    cache.invalidate('other');
    assert.deepEqual((await cache.of('fn')).statements, [gateway], "another function's invalidation keeps this one");
    cache.invalidate('fn');
    assert.deepEqual((await cache.of('fn')).statements, [], 'read again after its own');
    assert.ok(reads() > afterFirst);
  });

  void it('keeps that a function does not exist until it is invalidated, and drops everything at once', async () => {
    const { store, cache } = await countedStore();
    assert.deepEqual(await cache.of('later'), { arn: undefined, statements: [] });
    await store.put(fn('later'));
    assert.equal((await cache.of('later')).arn, undefined);
    cache.invalidateAll();
    assert.equal((await cache.of('later')).arn, fn('later').arn);
  });

  void it('does not keep what a read began before an invalidation saw', async () => {
    const { store, reads, cache } = await countedStore();
    await store.put(fn('fn'));
    await store.putPolicy('p1', 'permission', 'fn', gateway);
    const reading = cache.of('fn');
    cache.invalidate('fn');
    assert.deepEqual((await reading).statements, [gateway]);
    const before = reads();
    await cache.of('fn');
    assert.ok(reads() > before, 'the next ask reads again');
  });

  void it('reads again, when asked after a refusal, what was granted since: at most once a second per function', async () => {
    const { store, reads, cache } = await countedStore();
    await store.put(fn('fn'));
    assert.deepEqual((await cache.of('fn')).statements, [], 'nothing granted yet, and that is kept');
    await store.putPolicy('p1', 'permission', 'fn', gateway);
    assert.deepEqual((await cache.of('fn')).statements, [], 'granted elsewhere: the cache does not know');
    assert.deepEqual((await cache.reread('fn')).statements, [gateway], 'read again');
    assert.deepEqual((await cache.of('fn')).statements, [gateway], 'and kept');
    await store.deletePolicy('p1');
    const before = reads();
    await Promise.all(Array.from({ length: 20 }, () => cache.reread('fn')));
    assert.equal(reads(), before, 'no read again within the second after one');
  });
});
