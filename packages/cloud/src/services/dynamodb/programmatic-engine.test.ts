import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TABLES } from '../../kernel/capabilities.js';
import type { TableEngine } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { createNotesTable } from '../../kernel/notes-table.test-helper.js';

let dir: string;
let cloud: Cloud;
let engine: TableEngine;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-programmatic-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
  engine = cloud.kernel.capability(TABLES);
  await createNotesTable(cloud, 'owner');
  for (const [owner, id, tag] of [
    ['ann', 'a1', 'x'],
    ['ann', 'a2', 'y'],
    ['bob', 'b1', 'x'],
  ] as Array<[string, string, string]>)
    await engine.put({ table: 'Notes', item: { owner: { S: owner }, id: { S: id }, tag: { S: tag }, raw: { B: Buffer.from(tag).toString('base64') } } });
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

const ids = (page: { items: Array<Record<string, unknown>> }): string[] => page.items.map((i) => (i.id as { S: string }).S);
const byOwner = (owner: string, tag?: string) =>
  engine.query({
    table: 'Notes',
    keyCondition: { expression: '#o = :o', names: { '#o': 'owner' }, values: { ':o': { S: owner } } },
    ...(tag ? { filter: { expression: '#t = :t', names: { '#t': 'tag' }, values: { ':t': { S: tag } } } } : {}),
  });

void describe('the read conditions of the programmatic engine (parsed once per expression, names and values)', () => {
  void it('answers each key condition and filter by its own values, again and again', async () => {
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(ids(await byOwner('ann')), ['a1', 'a2']);
      assert.deepEqual(ids(await byOwner('bob')), ['b1']);
      assert.deepEqual(ids(await byOwner('ann', 'y')), ['a2']);
      assert.deepEqual(ids(await byOwner('ann', 'x')), ['a1']);
    }
  });

  void it('refuses an expression with an unused or missing placeholder every time it is sent', async () => {
    for (let round = 0; round < 2; round++) {
      await assert.rejects(
        engine.query({ table: 'Notes', keyCondition: { expression: '#o = :o', names: { '#o': 'owner', '#x': 'id' }, values: { ':o': { S: 'ann' } } } }),
        /unused/,
      );
      await assert.rejects(engine.query({ table: 'Notes', keyCondition: { expression: '#o = :o', names: { '#o': 'owner' } } }), /not defined/);
    }
  });

  void it('refuses malformed values and reads values too large to remember, every time', async () => {
    const big = 'x'.repeat(20_000);
    for (let round = 0; round < 2; round++) {
      await assert.rejects(
        engine.query({
          table: 'Notes',
          keyCondition: { expression: '#o = :o', names: { '#o': 'owner' }, values: { ':o': null as unknown as { S: string } } },
        }),
        (error: Error) => !(error instanceof TypeError),
      );
      assert.deepEqual(ids(await byOwner('ann', big)), []);
    }
  });

  void it('reads filters on other kinds of values (not remembered) as before', async () => {
    for (let round = 0; round < 2; round++) {
      const page = await engine.query({
        table: 'Notes',
        keyCondition: { expression: '#o = :o', names: { '#o': 'owner' }, values: { ':o': { S: 'ann' } } },
        filter: { expression: '#r = :r', names: { '#r': 'raw' }, values: { ':r': { B: Buffer.from('y').toString('base64') } } },
      });
      assert.deepEqual(ids(page), ['a2']);
    }
  });
});

void describe('numberAtLeast (a service read skipping items by a number before reading them)', () => {
  void it('reads only the items whose number is at least the value; the others are neither answered nor counted as read', async () => {
    for (const [id, changed] of [
      ['c1', '10'],
      ['c2', '20'],
      ['c3', undefined],
      ['c4', '15.5'],
    ] as Array<[string, string | undefined]>)
      await engine.put({ table: 'Notes', item: { owner: { S: 'cal' }, id: { S: id }, ...(changed ? { changed: { N: changed } } : {}) } });
    const page = await engine.scan({ table: 'Notes', numberAtLeast: { attribute: 'changed', value: 15.5 } });
    assert.deepEqual(ids(page).sort(), ['c2', 'c4']);
    assert.equal(page.scannedCount, 2);
    const limited = await engine.scan({ table: 'Notes', limit: 1, numberAtLeast: { attribute: 'changed', value: 11 } });
    assert.equal(limited.items.length, 1, 'the limit counts the items read past the skipped ones');
    const rest = await engine.scan({ table: 'Notes', numberAtLeast: { attribute: 'changed', value: 11 }, exclusiveStartKey: limited.lastEvaluatedKey! });
    assert.deepEqual([...ids(limited), ...ids(rest)].sort(), ['c2', 'c4']);
  });
});
