import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesSubscriptionFilter, SubscriptionFilterError, validateSubscriptionFilter } from './subscription-filter.js';

const item = { id: 't1', content: 'buy milk', priority: 3, done: false, tags: ['home', 'urgent'], owner: 'sub-1::alice', note: null };
const passes = (filter: Record<string, unknown> | undefined): boolean => matchesSubscriptionFilter(filter, item);

void describe('subscription filters (ModelSubscription<Model>FilterInput)', () => {
  void it('passes everything without a filter, and with unset input fields', () => {
    assert.equal(passes(undefined), true);
    assert.equal(passes({}), true);
    assert.equal(passes({ and: null, content: null, priority: { eq: null } }), true);
  });

  void it('compares with eq and ne, on scalars and lists', () => {
    assert.equal(passes({ content: { eq: 'buy milk' } }), true);
    assert.equal(passes({ content: { eq: 'buy bread' } }), false);
    assert.equal(passes({ priority: { ne: 3 } }), false);
    assert.equal(passes({ priority: { ne: 4 } }), true);
    assert.equal(passes({ done: { eq: false } }), true);
    assert.equal(passes({ tags: { eq: ['home', 'urgent'] } }), true);
    assert.equal(passes({ missing: { ne: 'x' } }), true, 'a missing attribute differs from any value');
  });

  void it('orders numbers with numbers and strings with strings only', () => {
    assert.equal(passes({ priority: { gt: 2, lt: 4 } }), true);
    assert.equal(passes({ priority: { ge: 3, le: 3 } }), true);
    assert.equal(passes({ priority: { gt: 3 } }), false);
    assert.equal(passes({ content: { lt: 'c' } }), true);
    assert.equal(passes({ priority: { lt: '9' } }), false, 'a number never compares with a string');
    assert.equal(passes({ missing: { lt: 9 } }), false);
  });

  void it('checks between (inclusive), beginsWith, contains and notContains', () => {
    assert.equal(passes({ priority: { between: [3, 5] } }), true);
    assert.equal(passes({ priority: { between: [4, 5] } }), false);
    assert.equal(passes({ content: { beginsWith: 'buy' } }), true);
    assert.equal(passes({ content: { beginsWith: 'milk' } }), false);
    assert.equal(passes({ content: { contains: 'mil' } }), true);
    assert.equal(passes({ tags: { contains: 'urgent' } }), true);
    assert.equal(passes({ tags: { contains: 'work' } }), false);
    assert.equal(passes({ tags: { notContains: 'work' } }), true);
    assert.equal(passes({ content: { notContains: 'milk' } }), false);
  });

  void it('checks in, notIn and attributeExists (null counts as absent)', () => {
    assert.equal(passes({ priority: { in: [1, 3] } }), true);
    assert.equal(passes({ priority: { in: [1, 2] } }), false);
    assert.equal(passes({ priority: { notIn: [1, 2] } }), true);
    assert.equal(passes({ owner: { attributeExists: true } }), true);
    assert.equal(passes({ note: { attributeExists: true } }), false);
    assert.equal(passes({ missing: { attributeExists: false } }), true);
  });

  void it('needs every field condition of one object, and combines with and, or and not', () => {
    assert.equal(passes({ content: { beginsWith: 'buy' }, priority: { gt: 5 } }), false);
    assert.equal(passes({ and: [{ content: { beginsWith: 'buy' } }, { priority: { eq: 3 } }] }), true);
    assert.equal(passes({ and: [{ content: { beginsWith: 'buy' } }, { priority: { eq: 4 } }] }), false);
    assert.equal(passes({ or: [{ priority: { eq: 4 } }, { done: { eq: false } }] }), true);
    assert.equal(passes({ or: [{ priority: { eq: 4 } }, { done: { eq: true } }] }), false);
    assert.equal(passes({ not: { priority: { eq: 3 } } }), false);
    assert.equal(passes({ not: { priority: { eq: 4 } }, or: [{ id: { eq: 't1' } }] }), true);
  });

  void it('refuses unknown operators and malformed operands when validated, wherever they are nested', () => {
    assert.throws(() => validateSubscriptionFilter({ or: [{ priority: { eq: 1 } }, { priority: { regex: '.*' } }] }), SubscriptionFilterError);
    assert.throws(() => validateSubscriptionFilter({ priority: { between: [1] } }), /exactly two/);
    assert.throws(() => validateSubscriptionFilter({ priority: { in: 3 } }), /takes a list/);
    assert.throws(() => validateSubscriptionFilter({ owner: { attributeExists: 'yes' } }), /boolean/);
    assert.throws(() => validateSubscriptionFilter({ not: [{ id: { eq: 'a' } }] }), /takes a filter/);
    assert.doesNotThrow(() => validateSubscriptionFilter({ and: [{ priority: { between: [1, 2] } }], not: { id: { in: ['a'] } } }));
  });
});
