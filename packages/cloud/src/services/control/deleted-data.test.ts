import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import type { ResourceHandler } from '../../kernel/types.js';
import { createStackEngine, type StackEngine } from './stack-engine.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';

const BOX = 'Forte::Test::Box';
const DAY = 86_400_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/**
 * A resource type that holds rows in memory, keyed by `id`, with the stored-data hooks a table has:
 * physical id = `Name`, which means replacement when it changes.
 */
function boxHandler(): { handler: ResourceHandler; boxes: Map<string, Map<string, string>> } {
  const boxes = new Map<string, Map<string, string>>();
  const handler: ResourceHandler = {
    replaceOn: ['Name'],
    create: async (props) => {
      const name = String(props['Name']);
      if (!boxes.has(name)) boxes.set(name, new Map());
      return { physicalId: name, attributes: {} };
    },
    update: async (id) => ({ physicalId: id, attributes: {} }),
    delete: async (id) => void boxes.delete(id),
    storedData: {
      kind: 'items',
      count: async (id) => boxes.get(id)?.size ?? 0,
      snapshot: async (id) => {
        const rows = [...(boxes.get(id) ?? new Map<string, string>())];
        return { version: 1, count: rows.length, data: rows };
      },
      restore: async (id, _props, snapshot) => {
        const box = boxes.get(id);
        if (!box) throw new Error(`no box ${id}`);
        let restored = 0;
        let skipped = 0;
        for (const [key, value] of snapshot.data as [string, string][]) {
          if (box.has(key)) skipped++;
          else {
            box.set(key, value);
            restored++;
          }
        }
        return { restored, skipped };
      },
    },
  };
  return { handler, boxes };
}

interface Harness {
  sql: SqlStore;
  engine: StackEngine;
  appId: string;
  boxes: Map<string, Map<string, string>>;
  clock: { now: number };
  deploy(resources: Record<string, string>): Promise<void>;
  restart(): Promise<void>;
}

async function harness(options: { retentionMs?: number } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-deleted-data-'));
  const { handler, boxes } = boxHandler();
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const open = async (): Promise<{ sql: SqlStore; engine: StackEngine }> => {
    const sql = await openTestStore(dir);
    const engine = createStackEngine({
      sql,
      log: createLogger({ write: () => undefined, level: 'error' }),
      handlerFor: (type) => (type === BOX ? handler : undefined),
      region: 'us-east-1',
      accountId: '123456789012',
      retryDelaysMs: [5],
      now: () => clock.now,
      ...(options.retentionMs === undefined ? {} : { deletedDataRetentionMs: options.retentionMs }),
    });
    await engine.start();
    return { sql, engine };
  };
  const h = { ...(await open()), boxes, clock, appId: '' } as Harness;
  h.appId = (await h.engine.registry.createApp('MyApp')).appId;
  await h.engine.registry.createEnvironment(h.appId, 'dev');
  h.deploy = async (resources) => {
    const template: Template = {
      Resources: Object.fromEntries(Object.entries(resources).map(([id, name]) => [id, { Type: BOX, Properties: { Name: name } }])),
    };
    const cs = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template });
    const done = await h.engine.waitForDeployment((await h.engine.executeChangeSet(cs.changeSetId)).deploymentId);
    await h.engine.idle();
    assert.equal(done.status, 'SUCCEEDED', done.error);
  };
  h.restart = async () => {
    await h.engine.idle();
    await h.sql.close();
    Object.assign(h, await open());
  };
  cleanups.push(async () => {
    await h.engine.idle();
    await h.sql.close();
    await rm(dir, { recursive: true, force: true });
  });
  return h;
}

const fill = (h: Harness, name: string, rows: number): void => {
  for (let i = 0; i < rows; i++) h.boxes.get(name)!.set(`k${i}`, `${name}-${i}`);
};

void describe('data deleted by a deployment', () => {
  void it('is counted in the change set, for removals and replacements of resources that hold data', async () => {
    const h = await harness();
    await h.deploy({ Full: 'full', Empty: 'empty', Renamed: 'old-name' });
    fill(h, 'full', 3);
    fill(h, 'old-name', 2);
    const cs = await h.engine.createChangeSet({
      appId: h.appId,
      envName: 'dev',
      template: { Resources: { Renamed: { Type: BOX, Properties: { Name: 'new-name' } } } },
    });
    const byId = Object.fromEntries(cs.changes.map((c) => [c.logicalId, [c.action, c.replacement, c.destroysData]]));
    assert.deepEqual(byId, {
      Renamed: ['Replace', true, { kind: 'items', count: 2, restorable: true }],
      Full: ['Remove', false, { kind: 'items', count: 3, restorable: true }],
      Empty: ['Remove', false, undefined],
    });
    assert.deepEqual((await h.engine.describeChangeSet(cs.changeSetId)).changes, cs.changes, 'the counts are kept with the change set');
  });

  void it('is kept before the delete and restored into the resource deployed in its place, what is there winning', async () => {
    const h = await harness();
    await h.deploy({ Todo: 'todo-1', Note: 'note-1' });
    fill(h, 'todo-1', 5);
    await h.deploy({ Note: 'note-1' });
    assert.equal(h.boxes.has('todo-1'), false, 'the resource is deleted');
    const [copy, ...more] = await h.engine.deletedData.list(h.appId, 'dev');
    assert.equal(more.length, 0);
    assert.deepEqual(
      { ...copy, copyId: undefined },
      {
        copyId: undefined,
        logicalId: 'Todo',
        resourceType: BOX,
        physicalId: 'todo-1',
        kind: 'items',
        count: 5,
        deletedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-01-08T00:00:00.000Z',
      },
    );

    await assert.rejects(h.engine.deletedData.restore(h.appId, 'dev', undefined), {
      code: 'ResourceNotFoundException',
      message: /Todo is not deployed in environment dev now.*Add it back and push first/,
    });
    await assert.rejects(h.engine.deletedData.restore(h.appId, 'dev', 'Other'), {
      code: 'ResourceNotFoundException',
      message: /No deleted data of Other.*kept: Todo/,
    });

    await h.deploy({ Todo: 'todo-2', Note: 'note-1' });
    h.boxes.get('todo-2')!.set('k1', 'written since');
    const { restored, waiting } = await h.engine.deletedData.restore(h.appId, 'dev', 'Todo');
    assert.deepEqual(waiting, []);
    assert.deepEqual(
      restored.map((r) => [r.copy.logicalId, r.restored, r.skipped]),
      [['Todo', 4, 1]],
    );
    assert.equal(h.boxes.get('todo-2')!.size, 5);
    assert.equal(h.boxes.get('todo-2')!.get('k1'), 'written since');
    assert.equal(h.boxes.get('todo-2')!.get('k3'), 'todo-1-3');
    assert.deepEqual(await h.engine.deletedData.list(h.appId, 'dev'), [], 'a restored copy is dropped');
  });

  void it('keeps the old half of a replacement, and nothing of a resource that held nothing', async () => {
    const h = await harness();
    await h.deploy({ Table: 'v1', Empty: 'e' });
    fill(h, 'v1', 2);
    await h.deploy({ Table: 'v2' });
    const copies = await h.engine.deletedData.list(h.appId, 'dev');
    assert.deepEqual(
      copies.map((c) => [c.logicalId, c.physicalId, c.count]),
      [['Table', 'v1', 2]],
    );
    const { restored } = await h.engine.deletedData.restore(h.appId, 'dev', 'v1');
    assert.deepEqual(
      restored.map((r) => r.restored),
      [2],
    );
    assert.equal(h.boxes.get('v2')!.size, 2);
  });

  void it('expires after the retention period: expired copies are not listed and are dropped at start and by the purge', async () => {
    const h = await harness();
    await h.deploy({ A: 'a', B: 'b' });
    fill(h, 'a', 1);
    fill(h, 'b', 1);
    await h.deploy({ B: 'b' });
    h.clock.now += 3 * DAY;
    await h.deploy({});
    assert.deepEqual(
      (await h.engine.deletedData.list(h.appId, 'dev')).map((c) => c.logicalId),
      ['B', 'A'],
      'newest first',
    );
    const rows = async (): Promise<number> => Number((await h.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_deleted_data'))?.n);

    h.clock.now += 4 * DAY; // A's copy is 7 days old now
    assert.deepEqual(
      (await h.engine.deletedData.list(h.appId, 'dev')).map((c) => c.logicalId),
      ['B'],
    );
    assert.equal(await rows(), 2, 'still stored until a purge');
    await h.restart();
    assert.equal(await rows(), 1, 'dropped at start');

    h.clock.now += 3 * DAY;
    assert.equal(await h.engine.deletedData.purgeExpired(), 1);
    assert.equal(await rows(), 0);
  });

  void it('is not kept, and said not to be restorable, when the retention is 0', async () => {
    const h = await harness({ retentionMs: 0 });
    await h.deploy({ A: 'a' });
    fill(h, 'a', 2);
    const cs = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: {} } });
    assert.deepEqual(
      cs.changes.map((c) => c.destroysData),
      [{ kind: 'items', count: 2, restorable: false }],
    );
    await h.deploy({});
    assert.deepEqual(await h.engine.deletedData.list(h.appId, 'dev'), []);
    assert.equal(Number((await h.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_deleted_data'))?.n), 0);
  });
});
