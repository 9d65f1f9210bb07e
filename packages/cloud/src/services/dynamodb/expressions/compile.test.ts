import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributeValue, TableItem } from '../../../kernel/types.js';
import { normalizeItem } from '../attribute-values.js';
import type { Condition } from './ast.js';
import { compiledCondition } from './compile.js';
import { evaluateCondition } from './evaluate.js';
import { ExpressionPlaceholders, parseCondition } from './parser.js';

/** `#o`, `#e` and `#n` name the attributes `owner`, `editor` (reserved words in DynamoDB) and `n`. */
function filter(source: string, values: Record<string, unknown> = {}): Condition {
  const names = { '#o': 'owner', '#e': 'editor', '#n': 'n', '#k': 'id' };
  const placeholders = new ExpressionPlaceholders(names, Object.keys(values).length > 0 ? normalizeItem(values) : undefined);
  return parseCondition(source, 'FilterExpression', placeholders);
}

/** What a test answers on an item: its boolean, or the message of what it throws. */
function outcome(test: () => boolean): boolean | string {
  try {
    return test();
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

/** Values an attribute may hold, absent included: what an owner or group field may hold among them. */
const VALUES: Array<AttributeValue | undefined> = [
  undefined,
  { NULL: true },
  { S: 'sub-bob::bob' },
  { S: 'bob' },
  { S: 'ann' },
  { S: '' },
  { N: '1' },
  { N: '10' },
  { BOOL: true },
  { BOOL: false },
  { B: 'Ym9i' },
  { L: [{ S: 'bob' }] },
  { L: [{ S: 'ann' }, { S: 'sub-bob::bob' }] },
  { L: [] },
  { SS: ['bob', 'ann'] },
  { NS: ['1'] },
  { M: { owner: { S: 'bob' } } },
];

/** Every item of `owner`, `editor` and `n` over VALUES (absent included). */
function items(): TableItem[] {
  const out: TableItem[] = [];
  for (const owner of VALUES)
    for (const editor of VALUES)
      for (const n of [undefined, { N: '1' }, { N: '5' }, { S: '5' }] as Array<AttributeValue | undefined>) {
        const item: TableItem = { id: { S: 'x' } };
        if (owner) item.owner = owner;
        if (editor) item.editor = editor;
        if (n) item.n = n;
        out.push(item);
      }
  return out;
}

const OWNER_VALUES = { ':o0': { S: 'sub-bob::bob' }, ':o1': { S: 'sub-bob' }, ':o2': { S: 'bob' } };
const FILTERS: Array<[string, Condition]> = [
  ['one owner field', filter('(#o = :o0 OR #o = :o1 OR #o = :o2)', OWNER_VALUES)],
  ['two owner fields', filter('(#o = :o0 OR #o = :o1 OR #o = :o2 OR #e = :o0 OR #e = :o1 OR #e = :o2)', OWNER_VALUES)],
  ['a list of owners', filter('(contains(#o, :o0) OR contains(#o, :o1) OR contains(#o, :o2))', OWNER_VALUES)],
  [
    'an owner field and a list of owners',
    filter('(#o = :o0 OR contains(#e, :o2)) AND attribute_exists(#o)', { ':o0': { S: 'sub-bob::bob' }, ':o2': { S: 'bob' } }),
  ],
  ['no caller value (nothing matches)', filter('(attribute_exists(#k) AND attribute_not_exists(#k))')],
  ['attribute_not_exists', filter('attribute_not_exists(#o) OR #o = :n', { ':n': { NULL: true } })],
  ['inequality', filter('#o <> :o', { ':o': { S: 'bob' } })],
  ['NOT', filter('NOT (#o = :o AND #e = :o)', { ':o': { S: 'bob' } })],
  ['a constant on the left', filter(':o = #o', { ':o': { S: 'bob' } })],
  ['two attributes', filter('#o = #e')],
  [
    'a number, a list, a map, a NULL',
    filter('#o = :a OR #o = :b OR #o = :c OR #o = :d', {
      ':a': { N: '1' },
      ':b': { L: [{ S: 'bob' }] },
      ':c': { M: { owner: { S: 'bob' } } },
      ':d': { NULL: true },
    }),
  ],
  ['orders', filter('#n < :five OR #n >= :ten OR #o <= :b OR #o > #e', { ':five': { N: '5' }, ':ten': { N: '10' }, ':b': { S: 'bob' } })],
  [
    'BETWEEN, IN, size, begins_with',
    filter('#n BETWEEN :one AND :five OR #o IN (:b, :a) OR size(#o) > :one OR begins_with(#o, :s)', {
      ':one': { N: '1' },
      ':five': { N: '5' },
      ':b': { S: 'bob' },
      ':a': { S: 'ann' },
      ':s': { S: 'sub-' },
    }),
  ],
  ['nested paths', filter('#o.#o = :b OR #o[1] = :b OR attribute_exists(#o[0])', { ':b': { S: 'sub-bob::bob' } })],
  ['attribute_type', filter('attribute_type(#o, :s) AND NOT attribute_type(#e, :l)', { ':s': { S: 'S' }, ':l': { S: 'L' } })],
  // Inverted bounds throw, but only once BETWEEN is reached: the operands before it decide first.
  ['a BETWEEN that throws when reached', filter('attribute_exists(#o) OR #n BETWEEN :five AND :one', { ':one': { N: '1' }, ':five': { N: '5' } })],
  ['AND before a BETWEEN that throws', filter('#o = :b AND #n BETWEEN :five AND :one', { ':b': { S: 'bob' }, ':one': { N: '1' }, ':five': { N: '5' } })],
];

void describe('compiled filters (compiledCondition)', () => {
  void it('answer exactly what evaluateCondition answers, and throw where it throws, on every item', () => {
    const all = items();
    let throwing = 0;
    for (const [name, condition] of FILTERS) {
      const test = compiledCondition(condition);
      let held = 0;
      for (const item of all) {
        const expected = outcome(() => evaluateCondition(item, condition));
        const got = outcome(() => test(item));
        if (got !== expected) assert.fail(`${name}: compiled ${String(got)}, evaluated ${String(expected)} on ${JSON.stringify(item)}`);
        if (expected === true) held += 1;
        if (typeof expected === 'string') throwing += 1;
      }
      // Every filter here both holds and fails on some items (the check above would pass for a constant otherwise).
      if (name !== 'no caller value (nothing matches)' && !name.includes('throws')) assert.ok(held > 0 && held < all.length, `${name}: held on ${held}`);
    }
    assert.ok(throwing > 0, 'some item reaches the throwing BETWEEN');
  });

  void it('lets through only the caller values of the owner fields, as strings', () => {
    const [, one] = FILTERS[0]!;
    const [, two] = FILTERS[1]!;
    const test = compiledCondition(one);
    assert.equal(test({ owner: { S: 'bob' } }), true);
    assert.equal(test({ owner: { S: 'sub-bob' } }), true);
    assert.equal(test({ owner: { S: 'ann' } }), false);
    assert.equal(test({}), false, 'a missing owner');
    assert.equal(test({ owner: { NULL: true } }), false, 'a null owner');
    assert.equal(test({ owner: { L: [{ S: 'bob' }] } }), false, 'a list is not equal to a string');
    assert.equal(test({ owner: { SS: ['bob'] } }), false, 'nor is a set');
    assert.equal(compiledCondition(two)({ owner: { S: 'ann' }, editor: { S: 'bob' } }), true, 'either owner field lets the caller in');
    assert.equal(compiledCondition(two)({ owner: { S: 'ann' }, editor: { NULL: true } }), false);
  });

  void it('compiles once per parsed filter and walks a long OR chain without deep recursion', () => {
    const [, one] = FILTERS[0]!;
    assert.equal(compiledCondition(one), compiledCondition(one));
    const values: Record<string, unknown> = {};
    const terms: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      values[`:v${i}`] = { S: `u${i}` };
      terms.push(`#o = :v${i}`);
    }
    const long = filter(terms.join(' OR '), values);
    const test = compiledCondition(long);
    assert.equal(test({ owner: { S: 'u19999' } }), true);
    assert.equal(test({ owner: { S: 'u20000' } }), false);
    assert.equal(test({ owner: { S: 'u0' } }), evaluateCondition({ owner: { S: 'u0' } }, long));
  });
});
