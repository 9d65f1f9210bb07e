import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TableItem } from '../../../kernel/types.js';
import { evaluateCondition, projectItem } from './evaluate.js';
import { ExpressionPlaceholders, parseCondition, parseProjection, parseUpdate } from './parser.js';
import { applyUpdate } from './update.js';

const item: TableItem = {
  id: { S: 'u1' },
  age: { N: '42' },
  name: { S: 'Ada Lovelace' },
  tags: { SS: ['math', 'poetry'] },
  scores: { NS: ['1', '2'] },
  profile: { M: { city: { S: 'London' }, langs: { L: [{ S: 'en' }, { S: 'fr' }] } } },
  arr: { L: [{ N: '1' }, { S: 'two' }] },
  active: { BOOL: true },
  nothing: { NULL: true },
};

function condition(source: string, values: TableItem = {}, names: Record<string, string> = {}) {
  const placeholders = new ExpressionPlaceholders(names, values);
  const parsed = parseCondition(source, 'ConditionExpression', placeholders);
  placeholders.assertAllUsed();
  return parsed;
}
const holds = (source: string, values: TableItem = {}, names: Record<string, string> = {}): boolean =>
  evaluateCondition(item, condition(source, values, names));

void describe('condition expressions', () => {
  void it('compares with every comparator and orders numbers numerically', () => {
    assert.equal(holds('age = :v', { ':v': { N: '42' } }), true);
    assert.equal(holds('age <> :v', { ':v': { N: '42' } }), false);
    assert.equal(holds('age < :v', { ':v': { N: '100' } }), true, '42 < 100 as numbers, not as text');
    assert.equal(holds('age <= :v AND age >= :v', { ':v': { N: '42' } }), true);
    assert.equal(holds('age > :v', { ':v': { S: '1' } }), false, 'different types never compare');
    assert.equal(holds('absent <> :v', { ':v': { N: '1' } }), true);
    assert.equal(holds('absent = :v', { ':v': { N: '1' } }), false);
  });

  void it('handles BETWEEN, IN, NOT, AND/OR precedence and parentheses', () => {
    assert.equal(holds('age BETWEEN :a AND :b', { ':a': { N: '40' }, ':b': { N: '50' } }), true);
    assert.equal(holds('age IN (:a, :b)', { ':a': { N: '1' }, ':b': { N: '42' } }), true);
    assert.equal(holds('NOT age IN (:a)', { ':a': { N: '1' } }), true);
    // AND binds tighter than OR: false OR (true AND true).
    assert.equal(holds('age = :x OR age = :y AND active = :t', { ':x': { N: '0' }, ':y': { N: '42' }, ':t': { BOOL: true } }), true);
    assert.equal(holds('(age = :x OR age = :y) AND active = :f', { ':x': { N: '0' }, ':y': { N: '42' }, ':f': { BOOL: false } }), false);
    assert.equal(holds('not (age = :y)', { ':y': { N: '42' } }), false, 'keywords are case-insensitive');
  });

  void it('evaluates functions and nested paths', () => {
    assert.equal(holds('attribute_exists(profile.city) AND attribute_not_exists(profile.zip)'), true);
    assert.equal(holds('attribute_type(tags, :t)', { ':t': { S: 'SS' } }), true);
    assert.equal(holds('begins_with(#n, :p)', { ':p': { S: 'Ada' } }, { '#n': 'name' }), true);
    assert.equal(
      holds(
        'contains(tags, :t) AND contains(#n, :s) AND contains(scores, :two)',
        { ':t': { S: 'math' }, ':s': { S: 'Love' }, ':two': { N: '2' } },
        { '#n': 'name' },
      ),
      true,
    );
    assert.equal(holds('contains(profile.langs, :fr)', { ':fr': { S: 'fr' } }), true);
    assert.equal(holds('size(#n) = :len AND size(tags) > :one', { ':len': { N: '12' }, ':one': { N: '1' } }, { '#n': 'name' }), true);
    assert.equal(holds('profile.langs[1] = :fr AND arr[0] = :one', { ':fr': { S: 'fr' }, ':one': { N: '1' } }), true);
  });

  void it('refuses bad syntax with DynamoDB messages', () => {
    assert.throws(() => condition('age = ', {}), /Invalid ConditionExpression: Syntax error; token: "<EOF>"/);
    assert.throws(() => condition('age == :v', { ':v': { N: '1' } }), /Syntax error; token: "="/);
    assert.throws(() => condition('age = :v AND', { ':v': { N: '1' } }), /Syntax error; token: "<EOF>"/);
    assert.throws(() => condition('age $ :v', { ':v': { N: '1' } }), /Syntax error; token: "\$"/);
    assert.throws(() => condition('nope(age)'), /Invalid function name; function: nope/);
    assert.throws(() => condition('size(age)'), /not allowed to be used this way in an expression; function: size/);
    assert.throws(() => condition('attribute_exists(:v)', { ':v': { N: '1' } }), /requires a document path/);
    assert.throws(() => condition(''), /The expression can not be empty/);
    assert.throws(
      () => condition('#n = :v AND status = :v', { ':v': { S: 'x' } }, { '#n': 'name' }),
      /Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status/,
    );
    assert.equal(holds('#s = :v', { ':v': { S: 'x' } }, { '#s': 'status' }), false, 'a placeholder may name a reserved word');
  });

  void it('refuses missing and unused names and values', () => {
    assert.throws(
      () => condition('#a = :v', { ':v': { N: '1' } }),
      /An expression attribute name used in the document path is not defined; attribute name: #a/,
    );
    assert.throws(() => condition('a = :v'), /An expression attribute value used in expression is not defined; attribute value: :v/);
    assert.throws(
      () => condition('a = :v', { ':v': { N: '1' }, ':w': { N: '2' } }),
      /Value provided in ExpressionAttributeValues unused in expressions: keys: \{:w\}/,
    );
    assert.throws(
      () => condition('a = :v', { ':v': { N: '1' } }, { '#x': 'x' }),
      /Value provided in ExpressionAttributeNames unused in expressions: keys: \{#x\}/,
    );
  });
});

void describe('projection expressions', () => {
  void it('keeps the named paths with their structure', () => {
    const placeholders = new ExpressionPlaceholders({ '#p': 'profile' }, {});
    const paths = parseProjection('id, #p.city, arr[1], nope', placeholders);
    assert.deepEqual(projectItem(item, paths), { id: { S: 'u1' }, profile: { M: { city: { S: 'London' } } }, arr: { L: [{ S: 'two' }] } });
    assert.throws(() => parseProjection('id,', placeholders), /Invalid ProjectionExpression: Syntax error; token: "<EOF>"/);
  });
});

void describe('update expressions', () => {
  const update = (source: string, values: TableItem = {}, base: TableItem = item) => {
    const placeholders = new ExpressionPlaceholders({}, values);
    const actions = parseUpdate(source, placeholders);
    placeholders.assertAllUsed();
    return applyUpdate(base, actions);
  };

  void it('applies SET with arithmetic, if_not_exists and list_append, REMOVE, ADD and DELETE', () => {
    const { item: next, touched } = update(
      'SET age = age + :one, visits = if_not_exists(visits, :zero) - :one, arr = list_append(arr, :more), profile.city = :paris REMOVE active, profile.langs[0] ADD tags :new, hits :one DELETE scores :two',
      {
        ':one': { N: '1' },
        ':zero': { N: '0' },
        ':more': { L: [{ S: 'three' }] },
        ':paris': { S: 'Paris' },
        ':new': { SS: ['art'] },
        ':two': { NS: ['2'] },
      },
    );
    assert.deepEqual(next.age, { N: '43' });
    assert.deepEqual(next.visits, { N: '-1' });
    assert.deepEqual(next.arr, { L: [{ N: '1' }, { S: 'two' }, { S: 'three' }] });
    assert.deepEqual(next.profile, { M: { city: { S: 'Paris' }, langs: { L: [{ S: 'fr' }] } } });
    assert.equal(next.active, undefined);
    assert.deepEqual(next.tags, { SS: ['math', 'poetry', 'art'] });
    assert.deepEqual(next.hits, { N: '1' });
    assert.deepEqual(next.scores, { NS: ['1'] });
    assert.deepEqual(touched.sort(), ['active', 'age', 'arr', 'hits', 'profile', 'scores', 'tags', 'visits']);
    assert.deepEqual(item.age, { N: '42' }, 'the original item is untouched');
  });

  void it('refuses overlapping paths, repeated clauses, wrong types and paths into nothing', () => {
    assert.throws(() => update('SET a = :v, a = :v', { ':v': { N: '1' } }), /Two document paths overlap/);
    assert.throws(() => update('SET profile = :v REMOVE profile.city', { ':v': { N: '1' } }), /Two document paths overlap/);
    assert.throws(() => update('SET a = :v SET b = :v', { ':v': { N: '1' } }), /The "SET" section can only be used once/);
    assert.throws(() => update('SET a = #n', {}), /attribute name used in the document path is not defined/);
    assert.throws(() => update('SET age = profile + :v', { ':v': { N: '1' } }), /incorrect data type/);
    assert.throws(() => update('SET x.y = :v', { ':v': { N: '1' } }), /document path provided in the update expression is invalid for update/);
    assert.throws(() => update('SET a = nothere', {}), /refers to an attribute that does not exist/);
    assert.throws(() => update('ADD profile :v', { ':v': { N: '1' } }), /incorrect data type/);
    assert.throws(() => update('UPSERT a = :v', { ':v': { N: '1' } }), /Invalid UpdateExpression: Syntax error; token: "UPSERT"/);
  });
});

void describe('expression nesting and long chains', () => {
  const nestedTooDeep = (error: unknown): boolean =>
    error instanceof Error && /^Invalid ConditionExpression: The expression is nested more than 256 levels deep/.test(error.message);

  void it('refuses parentheses, NOT and function calls nested past MAX_EXPRESSION_NESTING, never overflowing the stack', () => {
    assert.equal(holds(`${'('.repeat(256)}age = :v${')'.repeat(256)}`, { ':v': { N: '42' } }), true);
    assert.throws(() => condition(`${'('.repeat(257)}age = :v${')'.repeat(257)}`, { ':v': { N: '42' } }), nestedTooDeep);
    assert.throws(() => condition(`${'('.repeat(100_000)}age = :v${')'.repeat(100_000)}`, { ':v': { N: '42' } }), nestedTooDeep);
    assert.throws(() => condition(`${'NOT '.repeat(50_000)}age = :v`, { ':v': { N: '42' } }), nestedTooDeep);
    assert.throws(
      () => condition(`${'size('.repeat(50_000)}age${')'.repeat(50_000)} = :v`, { ':v': { N: '42' } }),
      (error: unknown) => error instanceof Error && /nested more than 256 levels/.test(error.message),
    );
  });

  void it('evaluates an OR chain of 100,000 terms without deep recursion, left to right', () => {
    const values: TableItem = {};
    const terms = Array.from({ length: 100_000 }, (_, i) => {
      values[`:v${i}`] = { N: String(i) };
      return `age = :v${i}`;
    });
    assert.equal(holds(terms.join(' OR '), values), true, 'age = 42 is one of them');
    assert.equal(holds(terms.join(' AND '), values), false);
  });
});
