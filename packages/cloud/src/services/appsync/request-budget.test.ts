import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { defineErrorTable } from '@forte/protocol';
import { buildSchema, execute, GraphQLObjectType, parse } from 'graphql';
import type { TableEngine } from '../../kernel/types.js';
import { BudgetExceededError, createRequestBudget, meteredTables, meterFieldResolvers, ownResolver, YIELD_AFTER_MS } from './request-budget.js';

/** The table engine's refusal, as DynamoDB's table declares it. */
const TABLE_ERRORS = defineErrorTable('dynamodb', { LimitExceededException: 400 });
const limits = { maxResolverCalls: 3, maxItemsRead: 10, maxResultFields: 5 };

void describe('the budget of one execution', () => {
  void it('refuses the call, the items or the field past each limit, naming the setting, and stays exceeded', () => {
    const calls = createRequestBudget(limits);
    for (let i = 0; i < 3; i++) calls.call();
    assert.throws(
      () => calls.call(),
      (e: unknown) => e instanceof BudgetExceededError && e.errorType === 'LimitExceededException' && /graphql\.maxResolverCalls/.test(e.message),
    );
    assert.throws(() => calls.field(), BudgetExceededError, 'every later charge fails alike');
    assert.ok(calls.exceeded);
    const items = createRequestBudget(limits);
    items.itemsRead(10);
    assert.throws(() => items.itemsRead(1), /graphql\.maxItemsRead/);
    const fields = createRequestBudget(limits);
    for (let i = 0; i < 5; i++) fields.field();
    assert.throws(() => fields.field(), /graphql\.maxResultFields/);
  });

  void it('meters every table call before it runs and the items it read', async () => {
    let reads = 0;
    const page = { items: [], scannedCount: 4 };
    const engine = {
      get: () => (reads++, Promise.resolve({ id: { S: 'a' } })),
      query: () => (reads++, Promise.resolve(page)),
      scan: () => (reads++, Promise.resolve(page)),
      count: () => (reads++, Promise.resolve(2)),
    } as unknown as TableEngine;
    const budget = createRequestBudget(limits);
    const tables = meteredTables(engine, budget);
    await tables.get({ table: 't', key: {} });
    await tables.scan({ table: 't' });
    await tables.query({ table: 't', keyCondition: { expression: 'a = :a' } });
    await assert.rejects(tables.scan({ table: 't' }), /graphql\.maxResolverCalls/);
    assert.equal(reads, 3, 'the call past the limit never reaches the engine');
  });

  void it('lets a count read only the items the budget has left', async () => {
    let asked: number | undefined;
    const engine = {
      count: (input: { maxScanned?: number; onScanned?: (items: number) => void }) => {
        asked = input.maxScanned;
        const scanned = Math.min(1000, input.maxScanned ?? 1000);
        input.onScanned?.(scanned);
        return scanned < 1000 ? Promise.reject(TABLE_ERRORS.error('LimitExceededException', 'too many')) : Promise.resolve(1000);
      },
    } as unknown as TableEngine;
    const budget = createRequestBudget(limits);
    budget.itemsRead(4);
    await assert.rejects(meteredTables(engine, budget).count({ table: 't' }), /graphql\.maxItemsRead/);
    assert.equal(asked, 7, 'the 6 items left, and one more to know the count needs more');
  });

  void it('lets the event loop run between table calls that answer synchronously', async () => {
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const engine = { get: () => (busy(1), Promise.resolve(undefined)) } as unknown as TableEngine;
    const tables = meteredTables(engine, createRequestBudget({ ...limits, maxResolverCalls: 200 }));
    let callsWhenOthersRan = -1;
    let calls = 0;
    setImmediate(() => (callsWhenOthersRan = calls));
    for (let i = 0; i < 200; i++) {
      await tables.get({ table: 't', key: {} });
      calls++;
    }
    // 200 ms of calls: another callback got its turn after about YIELD_AFTER_MS of them, not at the end.
    assert.ok(callsWhenOthersRan >= 0 && callsWhenOthersRan <= 5 * YIELD_AFTER_MS, `others ran after ${callsWhenOthersRan} calls`);
  });

  void it('charges every field graphql-js resolves, introspection and __typename included', async () => {
    const schema = buildSchema('type Query { a: [T] } type T { b: String }');
    schema.getQueryType()!.getFields().a!.resolve = () => [{ b: '1' }, { b: '2' }, { b: '3' }];
    meterFieldResolvers(schema);
    const run = async (query: string) => {
      const budget = createRequestBudget({ ...limits, maxResultFields: 6 });
      await execute({ schema, document: parse(query), contextValue: { budget } });
      return { budget };
    };
    assert.equal((await run('{ a { b } }')).budget.exceeded, undefined, '4 fields');
    assert.ok((await run('{ a { b x: b } }')).budget.exceeded, '7 fields');
    assert.ok((await run('{ a { __typename t: __typename } }')).budget.exceeded);
    assert.ok((await run('{ __schema { types { name } } }')).budget.exceeded);
    assert.equal((await execute({ schema, document: parse('{ a { b } }'), contextValue: {} })).errors, undefined, 'no budget, no charge');
  });

  void it('tells a field with a resolver of its own from one graphql answers by default', () => {
    const schema = buildSchema('type Query { a: String b: String }');
    const own = () => 'a';
    schema.getQueryType()!.getFields().a!.resolve = own;
    meterFieldResolvers(schema);
    meterFieldResolvers(schema);
    const fields = (schema.getQueryType() as GraphQLObjectType).getFields();
    assert.equal(ownResolver(fields.a!.resolve), own, 'metered once, its own resolver behind');
    assert.equal(ownResolver(fields.b!.resolve), undefined);
  });
});
