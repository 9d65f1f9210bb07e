import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuTime } from '../../kernel/cpu-time.test-helper.js';
import { buildSchema, GraphQLError, validate } from 'graphql';
import {
  checkVariablesNesting,
  DEFAULT_GRAPHQL_LIMITS,
  graphqlLimitsWithDefaults,
  MAX_VALIDATION_ERRORS,
  parseWithinLimits,
  QueryLimitError,
  validateWithinLimits,
} from './query-limits.js';

const limits = DEFAULT_GRAPHQL_LIMITS;
const refusal = (query: string, setting: string, custom = limits): void =>
  assert.throws(
    () => parseWithinLimits(query, custom),
    (error: unknown) => error instanceof QueryLimitError && error.message.includes(`graphql.${setting} of the cloud's config.json`),
  );

void describe('GraphQL document limits, checked before validation', () => {
  void it('fills unset limits with their defaults', () => {
    assert.deepEqual(graphqlLimitsWithDefaults({ maxQueryDepth: 6 }), { ...DEFAULT_GRAPHQL_LIMITS, maxQueryDepth: 6 });
    assert.deepEqual(graphqlLimitsWithDefaults(undefined), DEFAULT_GRAPHQL_LIMITS);
  });

  void it('accepts the statements aws-amplify codegen writes', () => {
    const listPosts = `query ListPosts($filter: ModelPostFilterInput, $limit: Int, $nextToken: String) {
      listPosts(filter: $filter, limit: $limit, nextToken: $nextToken) {
        items { id title blog { id name createdAt updatedAt __typename } comments { nextToken __typename } createdAt updatedAt blogPostsId __typename }
        nextToken
        __typename
      }
    }`;
    assert.equal(parseWithinLimits(listPosts, limits).definitions.length, 1);
  });

  void it('refuses the size, the tokens and bracket nesting before parsing', () => {
    refusal(`{ a(s: "${'x'.repeat(limits.maxQueryBytes)}") }`, 'maxQueryBytes');
    refusal(`{ ${'a '.repeat(limits.maxQueryTokens)} }`, 'maxQueryTokens');
    // Nothing but brackets: graphql-js would recurse once per level; refused while lexing.
    refusal(`{ a(f: ${'['.repeat(5000)}1${']'.repeat(5000)}) }`, 'maxQueryDepth');
    assert.throws(() => parseWithinLimits('{ a(', limits), GraphQLError, "syntax errors are graphql's");
  });

  void it('refuses field nesting deeper than maxQueryDepth, through fragments too', () => {
    const nested = (levels: number): string => `${'{ a '.repeat(levels)}${'}'.repeat(levels)}`;
    assert.ok(parseWithinLimits(nested(15), limits));
    refusal(nested(16), 'maxQueryDepth');
    refusal(`{ a { ...F } } fragment F on T { ${'b { '.repeat(15)}c${' }'.repeat(15)} }`, 'maxQueryDepth');
  });

  void it('measures each fragment once: a chain of fragments spreading the next twice is no exponential walk', () => {
    const schema = buildSchema('type Query { a: T } type T { b: String }');
    const fragments = Array.from({ length: 100 }, (_, i) => `fragment F${i} on T { ...F${i + 1} ... on T { ...F${i + 1} } }`).join(' ');
    const { result: errors, ms } = cpuTime(() => validate(schema, parseWithinLimits(`{ a { ...F0 } } ${fragments} fragment F100 on T { b }`, limits)));
    assert.deepEqual(errors, []);
    assert.ok(ms < 1000, `checked and validated in ${Math.round(ms)} ms of CPU`);
  });

  void it('counts fields with fragments expanded wherever they are spread', () => {
    const fragment = `fragment F on T { ${Array.from({ length: 100 }, (_, i) => `f${i}`).join(' ')} }`;
    assert.ok(parseWithinLimits(`{ ${Array.from({ length: 49 }, (_, i) => `a${i}: a { ...F }`).join(' ')} } ${fragment}`, limits));
    refusal(`{ ${Array.from({ length: 50 }, (_, i) => `a${i}: a { ...F }`).join(' ')} } ${fragment}`, 'maxQueryFields');
  });

  void it('refuses one response name repeated at one place, fragments and nested selections merged', () => {
    assert.ok(parseWithinLimits(`{ ${'a '.repeat(25)}}`, limits));
    refusal(`{ ${'a '.repeat(26)}}`, 'maxFieldRepeats');
    // 6 × 5 selections of b land on one place of the result (a.b): what validation compares pairwise.
    refusal(`{ ${'a { b b b b b } '.repeat(6)}}`, 'maxFieldRepeats');
    refusal(`{ a ...F ... on T { a } } fragment F on T { ${'a '.repeat(24)}}`, 'maxFieldRepeats');
  });

  void it('keeps validation of the largest accepted documents fast', () => {
    const schema = buildSchema(`type Query { ${Array.from({ length: 200 }, (_, i) => `c${i}: String`).join(' ')} }`);
    // As many pairs as the defaults allow validation to compare: 200 response names, each selected 25 times.
    const widest = `{ ${Array.from({ length: 200 }, (_, i) => `c${i} `.repeat(25)).join('')}}`;
    const document = parseWithinLimits(widest, limits);
    const { result: errors, ms } = cpuTime(() => validate(schema, document));
    assert.deepEqual(errors, []);
    assert.ok(ms < 1000, `validated in ${Math.round(ms)} ms of CPU`);
  });

  void it('stops validating after MAX_VALIDATION_ERRORS errors: unknown fields each search their type for a suggestion', () => {
    const schema = buildSchema(`type Query { ${Array.from({ length: 1000 }, (_, i) => `c${i}: String`).join(' ')} }`);
    const unknown = parseWithinLimits(`{ ${Array.from({ length: 4000 }, (_, i) => `u${i}`).join(' ')} }`, limits);
    const { result: errors, ms } = cpuTime(() => validateWithinLimits(schema, unknown));
    // Every error reported, as graphql 15 does by default, took seconds here.
    assert.ok(ms < 1000, `validated in ${Math.round(ms)} ms of CPU`);
    assert.equal(errors.length, MAX_VALIDATION_ERRORS + 1);
    assert.match(errors.at(-1)!.message, /Too many validation errors/);
  });

  void it('refuses variables nested deeper than graphql-js may coerce', () => {
    let deep: Record<string, unknown> = { eq: 1 };
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    assert.throws(
      () => checkVariablesNesting({ filter: deep }, limits),
      (error: unknown) => error instanceof QueryLimitError && /graphql\.maxQueryDepth/.test(error.message),
    );
    assert.doesNotThrow(() => checkVariablesNesting({ filter: { and: [{ not: { a: { eq: 1 } } }] } }, limits));
  });
});
