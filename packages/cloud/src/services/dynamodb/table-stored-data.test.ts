import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DYNAMODB_RESOURCE_TYPES } from '@forte/protocol';
import { TABLES } from '../../kernel/capabilities.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';

let dir: string;
let cloud: Cloud;
let tables: ResourceHandler;
const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 's',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});
const tableProps = (name: string) => ({
  TableName: name,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'owner', AttributeType: 'S' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  GlobalSecondaryIndexes: [{ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-table-data-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
  tables = cloud.kernel.resourceHandler(DYNAMODB_RESOURCE_TYPES.table)!;
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe("a table's stored data hooks", () => {
  void it('count the items, copy them, and put them back into a new table with its indexes, existing items winning', async () => {
    const hooks = tables.storedData!;
    const engine = cloud.kernel.capability(TABLES);
    await tables.create(tableProps('Old'), ctx('Todo'));
    for (let i = 0; i < 3; i++)
      await engine.put({ table: 'Old', item: { id: { S: `t${i}` }, owner: { S: i === 0 ? 'ann' : 'bob' }, done: { BOOL: i === 2 } } });
    assert.equal(hooks.kind, 'items');
    assert.equal(await hooks.count('Old', tableProps('Old')), 3);
    const snapshot = await hooks.snapshot!('Old', tableProps('Old'));
    assert.equal(snapshot.count, 3);
    await tables.delete('Old', tableProps('Old'), ctx('Todo'));
    assert.equal(await hooks.count('Old', tableProps('Old')), 0, 'a table that is gone holds nothing');

    await tables.create(tableProps('New'), ctx('Todo'));
    await engine.put({ table: 'New', item: { id: { S: 't1' }, owner: { S: 'carl' } } });
    const outcome = await hooks.restore!('New', tableProps('New'), JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
    assert.equal(outcome.restored, 2);
    assert.equal(outcome.skipped, 1);
    assert.match(outcome.example ?? '', /"id":"t1".*already in the table/);
    assert.deepEqual(await engine.get({ table: 'New', key: { id: { S: 't2' } } }), { id: { S: 't2' }, owner: { S: 'bob' }, done: { BOOL: true } });
    assert.deepEqual((await engine.get({ table: 'New', key: { id: { S: 't1' } } }))?.['owner'], { S: 'carl' });
    assert.equal(
      await engine.count({ table: 'New', index: 'byOwner', keyCondition: { expression: '#o = :o', names: { '#o': 'owner' }, values: { ':o': { S: 'ann' } } } }),
      1,
      'index entries are written with the items',
    );
  });

  void it('skip the items a new key schema cannot hold', async () => {
    const hooks = tables.storedData!;
    const snapshot = { version: 1, count: 2, data: [{ id: { S: 'a' } }, { slug: { S: 'no-id' } }] };
    await tables.create(tableProps('Keyed'), ctx('Keyed'));
    const outcome = await hooks.restore!('Keyed', tableProps('Keyed'), snapshot);
    assert.deepEqual([outcome.restored, outcome.skipped], [1, 1]);
    assert.match(outcome.example ?? '', /lacks the table's key/);
  });
});
