import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppSyncFieldError } from './field-error.js';
import { checkFilterSize } from './filter-limits.js';

const limits = { maxFilterTerms: 10, maxFilterDepth: 3 };
const refused = (filter: unknown, setting: string): void =>
  assert.throws(
    () => checkFilterSize(filter, limits),
    (error: unknown) => error instanceof AppSyncFieldError && error.errorType === 'ValidationError' && error.message.includes(`graphql.${setting}`),
  );

void describe('filter size limits', () => {
  void it('counts each operator, each in value and each combined filter', () => {
    assert.doesNotThrow(() => checkFilterSize({ a: { eq: 1, ne: 2 }, b: { in: [1, 2, 3] }, or: [{ c: { gt: 1 } }, { c: { lt: 0 } }] }, limits));
    refused({ a: { in: Array.from({ length: 11 }, (_, i) => i) } }, 'maxFilterTerms');
    refused({ or: Array.from({ length: 32_000 }, (_, i) => ({ title: { eq: `t${i}` } })) }, 'maxFilterTerms');
    refused({ or: Array.from({ length: 11 }, () => ({})) }, 'maxFilterTerms');
  });

  void it('refuses and / or / not nested deeper than maxFilterDepth, without recursion', () => {
    assert.doesNotThrow(() => checkFilterSize({ not: { and: [{ or: [{ a: { eq: 1 } }] }] } }, limits));
    refused({ not: { and: [{ or: [{ not: { a: { eq: 1 } } }] }] } }, 'maxFilterDepth');
    let deep: Record<string, unknown> = { a: { eq: 1 } };
    for (let i = 0; i < 50_000; i++) deep = { not: deep };
    refused(deep, 'maxFilterDepth');
  });

  void it('lets a missing filter through', () => {
    assert.doesNotThrow(() => checkFilterSize(undefined, limits));
    assert.doesNotThrow(() => checkFilterSize(null, limits));
  });
});
