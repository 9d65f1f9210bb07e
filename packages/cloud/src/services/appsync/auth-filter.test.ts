import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GraphQLModelOperation, type GraphQLPlanAuthRule, type GraphQLPlanModel } from '@forte/protocol';
import { TABLES } from '../../kernel/capabilities.js';
import type { AttributeValue, TableEngine, TableExpression, TableItem } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { createNotesTable } from '../../kernel/notes-table.test-helper.js';
import { authFilterText, type KnownEquality } from './auth-filter.js';
import type { Caller } from './caller.js';
import { ExpressionBuilder } from './expression-builder.js';

const ALL: GraphQLModelOperation[] = ['create', 'update', 'delete', 'get', 'list', 'sync', 'listen', 'search'];
const ownerRule = (ownerField: string, identityClaim = 'sub::username'): GraphQLPlanAuthRule => ({
  strategy: 'owner',
  provider: 'userPools',
  operations: ALL,
  ownerField,
  identityClaim,
});
const groupsRule = (groupsField: string): GraphQLPlanAuthRule => ({ strategy: 'groups', provider: 'userPools', operations: ALL, groupsField });

/** Notes with a single owner (`owner`), a second one (`editor`), a list of owners (`readers`) and a group field (`team`). */
const model: GraphQLPlanModel = {
  name: 'Note',
  pluralName: 'Notes',
  tableName: 'Note',
  primaryKey: { partitionField: 'id', sortKeyFields: [] },
  indexes: [],
  fields: ['id', 'owner', 'editor', 'readers', 'team'].map((name) => ({
    name,
    type: name === 'id' ? 'ID' : 'String',
    isList: name === 'readers',
    isRequired: name === 'id',
    kind: 'scalar' as const,
  })),
  relations: [],
  timestamps: { createdAt: null, updatedAt: null },
  defaults: {},
  operations: { subscriptionLevel: 'on', subscriptionArguments: [] },
  authRules: [],
  fieldAuthRules: {},
  sandbox: false,
};

const bob: Caller = { mode: 'userPools', sub: 'sub-bob', username: 'bob', groups: ['Editors'], claims: {} };
const BOB_VALUES = ['sub-bob::bob', 'sub-bob', 'bob'];

/** The filter as the table gets it; undefined when there is none. */
function filterOf(rules: GraphQLPlanAuthRule[], known?: KnownEquality): TableExpression | undefined {
  const b = new ExpressionBuilder('f');
  const text = authFilterText(b, bob, model, rules, known);
  return text === undefined ? undefined : b.expression(text);
}

/** Values a field of a stored item may hold (absent too), the caller's own among them. */
const FIELD_VALUES: Array<AttributeValue | undefined> = [
  undefined,
  { NULL: true },
  { S: 'sub-bob::bob' },
  { S: 'sub-ann::ann' },
  { S: 'Editors' },
  { L: [{ S: 'bob' }] },
  { SS: ['ann'] },
];
const FIELDS = ['owner', 'editor', 'readers', 'team'];
const PARTITION_VALUES = [...BOB_VALUES, 'Editors', 'sub-ann::ann', 'ann'];

/** Every item whose `field` holds `value` (what a key query on that field reads), every other field varied. */
function itemsWith(field: string, value: string): TableItem[] {
  const others = FIELDS.filter((f) => f !== field);
  const items: TableItem[] = [];
  const fill = (at: number, item: TableItem): void => {
    if (at === others.length) {
      items.push({ part: { S: `${field}=${value}` }, id: { S: String(items.length).padStart(4, '0') }, [field]: { S: value }, ...item });
      return;
    }
    for (const v of FIELD_VALUES) fill(at + 1, v === undefined ? item : { ...item, [others[at]!]: v });
  };
  fill(0, {});
  return items;
}

let dir: string;
let cloud: Cloud;
let tables: TableEngine;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-auth-filter-'));
  cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
  tables = cloud.kernel.capability(TABLES);
  await createNotesTable(cloud, 'part');
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

/** How many of the items stored for `field = value` the filter lets through, read as a list reads them. */
const matching = (field: string, value: string, filter: TableExpression | undefined): Promise<number> =>
  tables.count({
    table: 'Notes',
    keyCondition: { expression: '#p = :p', names: { '#p': 'part' }, values: { ':p': { S: `${field}=${value}` } } },
    ...(filter ? { filter } : {}),
  });

const RULE_SETS: Array<[string, GraphQLPlanAuthRule[]]> = [
  ['one owner field', [ownerRule('owner')]],
  ['an owner field by username', [ownerRule('owner', 'username')]],
  ['two owner fields', [ownerRule('owner'), ownerRule('editor')]],
  ['an owner field and a list of owners', [ownerRule('owner'), ownerRule('readers')]],
  ['a list of owners only', [ownerRule('readers')]],
  ['a dynamic group field and an owner field', [groupsRule('team'), ownerRule('owner')]],
];

void describe('the auth filter of a key query (authFilterText with the known partition)', () => {
  void it('is left out when the partition is one of the caller values of a rule on that field', () => {
    for (const value of BOB_VALUES) assert.equal(filterOf([ownerRule('owner')], { field: 'owner', value }), undefined);
    assert.equal(filterOf([ownerRule('editor'), ownerRule('owner')], { field: 'owner', value: 'bob' }), undefined, 'any one rule lets the caller in');
    assert.equal(filterOf([groupsRule('team')], { field: 'team', value: 'Editors' }), undefined);
  });

  void it('is kept, the same text as without the partition, when the partition does not decide it', () => {
    const cases: Array<[GraphQLPlanAuthRule[], KnownEquality]> = [
      [[ownerRule('owner')], { field: 'owner', value: 'sub-ann::ann' }],
      [[ownerRule('owner')], { field: 'owner', value: 'sub-bob::bo' }],
      [[ownerRule('owner', 'username')], { field: 'owner', value: 'sub-bob::bob' }],
      [[ownerRule('owner')], { field: 'id', value: 'sub-bob::bob' }],
      [[ownerRule('editor')], { field: 'owner', value: 'bob' }],
      [[ownerRule('readers')], { field: 'readers', value: 'bob' }],
      [[groupsRule('team')], { field: 'team', value: 'Admins' }],
    ];
    for (const [rules, known] of cases) {
      const withKnown = authFilterText(new ExpressionBuilder('f'), bob, model, rules, known);
      const without = authFilterText(new ExpressionBuilder('f'), bob, model, rules);
      assert.ok(withKnown !== undefined, JSON.stringify(known));
      assert.equal(withKnown, without);
    }
  });

  void it('is left out only where the full filter holds for every item the key query reads', async () => {
    const partitions = FIELDS.flatMap((field) => PARTITION_VALUES.map((value) => ({ field, value })));
    const stored = new Map<string, number>();
    let leftOut = 0;
    for (const known of partitions)
      for (const [name, rules] of RULE_SETS) {
        if (filterOf(rules, known) !== undefined) continue;
        leftOut += 1;
        const part = `${known.field}=${known.value}`;
        if (!stored.has(part)) {
          const items = itemsWith(known.field, known.value);
          for (const item of items) await tables.put({ table: 'Notes', item });
          stored.set(part, items.length);
          assert.equal(await matching(known.field, known.value, undefined), items.length);
        }
        assert.equal(await matching(known.field, known.value, filterOf(rules)), stored.get(part), `${name}: left out for ${part}`);
      }
    assert.ok(leftOut > 0);
  });
});
