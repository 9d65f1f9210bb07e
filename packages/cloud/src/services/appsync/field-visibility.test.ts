import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GraphQLModelOperation, GraphQLPlanAuthRule, GraphQLPlanModel } from '@forte/protocol';
import type { Caller } from './caller.js';
import { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFieldUse, EVERY_ITEM, filterFields } from './field-visibility.js';

const READ: GraphQLModelOperation[] = ['get', 'list', 'sync', 'listen', 'search'];
const ALL: GraphQLModelOperation[] = ['create', 'update', 'delete', ...READ];
const owner: GraphQLPlanAuthRule = { strategy: 'owner', provider: 'userPools', operations: ALL, ownerField: 'owner', identityClaim: 'sub::username' };

/** Everyone signed in (and the API key) lists notes; `secret` is the owner's, `review` the Admin group's. */
const model: GraphQLPlanModel = {
  name: 'Note',
  pluralName: 'Notes',
  tableName: 'Note',
  primaryKey: { partitionField: 'id', sortKeyFields: [] },
  indexes: [],
  fields: ['id', 'title', 'secret', 'review', 'owner'].map((name) => ({
    name,
    type: name === 'id' ? 'ID' : 'String',
    isList: false,
    isRequired: name === 'id',
    kind: 'scalar' as const,
  })),
  relations: [],
  timestamps: { createdAt: null, updatedAt: null },
  defaults: {},
  operations: { subscriptionLevel: 'on', subscriptionArguments: [] },
  authRules: [owner, { strategy: 'private', provider: 'userPools', operations: READ }, { strategy: 'public', provider: 'apiKey', operations: READ }],
  fieldAuthRules: { secret: [owner], review: [{ strategy: 'groups', provider: 'userPools', groups: ['Admin'], operations: ALL }] },
  sandbox: false,
};

const apiKey: Caller = { mode: 'apiKey', groups: [], claims: {} };
const user = (username: string, groups: string[] = []): Caller => ({ mode: 'userPools', sub: `sub-${username}`, username, groups, claims: {} });
const admin: Caller = { mode: 'iam', iamRole: 'admin', groups: [], claims: {} };

/** The refusal `checkFieldUse` throws, or undefined when it allows the use. */
function refusal(caller: Caller, fields: Iterable<string>, item?: Record<string, unknown>): { errorType: string; message: string } | undefined {
  try {
    checkFieldUse({ caller, model, fields, ...(item ? { item } : {}) });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppSyncFieldError);
    return { errorType: error.errorType, message: error.message };
  }
}

void describe('field-level rules on filters, conditions and keys (checkFieldUse)', () => {
  void it('finds every field a filter names, at any depth of and / or / not', () => {
    const filter = {
      title: { eq: 'a' },
      and: [{ or: [{ secret: { beginsWith: 'x' } }] }, { not: { review: { ne: 'y' } } }],
      or: { owner: { eq: 'z' } },
      id: null,
      not: null,
    };
    assert.deepEqual([...filterFields(filter)].sort(), ['owner', 'review', 'secret', 'title']);
    assert.deepEqual([...filterFields(null)], []);
  });

  void it('refuses a field the caller may never read, naming it as AppSync does, whatever the filter asks', () => {
    assert.deepEqual(refusal(apiKey, ['title', 'secret']), { errorType: 'Unauthorized', message: 'Unauthorized on [secret]' });
    assert.deepEqual(refusal(apiKey, ['secret', 'review']), { errorType: 'Unauthorized', message: 'Unauthorized on [secret, review]' });
    assert.deepEqual(refusal(user('bob'), ['review']), { errorType: 'Unauthorized', message: 'Unauthorized on [review]' });
    assert.equal(refusal(user('carol', ['Admin']), ['review']), undefined, 'a static group reads it on every item');
    assert.equal(refusal(admin, ['secret', 'review']), undefined, 'admin credentials read everything');
    assert.equal(refusal(apiKey, ['title', 'id']), undefined);
  });

  void it('allows a field readable on some items, and confines its conditions to them', () => {
    assert.equal(refusal(user('bob'), ['secret']), undefined);
    const b = new ExpressionBuilder('f');
    const readableWhen = checkFieldUse({ caller: user('bob'), model, fields: ['secret', 'title'] })(b);
    assert.equal(readableWhen('title'), undefined);
    const text = b.filter({ title: { eq: 't' }, not: { secret: { beginsWith: 'x' } } }, readableWhen)!;
    const { names, values } = b.expression(text);
    assert.equal(text, '(#f0 = :f0 AND (NOT ((#f2 = :f2 OR #f2 = :f3 OR #f2 = :f4) AND begins_with(#f1, :f1))))');
    assert.deepEqual(names, { '#f0': 'title', '#f1': 'secret', '#f2': 'owner' });
    assert.deepEqual(
      Object.values(values ?? {})
        .map((v) => ('S' in v ? v.S : undefined))
        .sort(),
      ['bob', 'sub-bob', 'sub-bob::bob', 't', 'x'],
    );
  });

  void it('for one item, refuses a field that item does not let the caller read', () => {
    const alices = { id: 'n1', owner: 'sub-alice::alice', secret: 's' };
    assert.deepEqual(refusal(user('bob'), ['secret'], alices), { errorType: 'Unauthorized', message: 'Unauthorized on [secret]' });
    assert.equal(refusal(user('alice'), ['secret'], alices), undefined);
  });

  void it("leaves the service's own conditions alone", () => {
    const b = new ExpressionBuilder('c');
    assert.equal(b.filter({ secret: { eq: 's' } }, EVERY_ITEM), '#c0 = :c0');
  });
});
