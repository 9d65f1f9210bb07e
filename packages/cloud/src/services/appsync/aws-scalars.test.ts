import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, type GraphQLScalarType } from 'graphql';
import { applyAwsScalars } from './aws-scalars.js';

void describe("AppSync's scalars, in linear time", () => {
  void it('AWSEmail takes local@domain.tld and refuses the rest, a long crafted value promptly', () => {
    const schema = buildSchema('scalar AWSEmail\ntype Query { a(e: AWSEmail): String }');
    applyAwsScalars(schema);
    const email = schema.getType('AWSEmail') as GraphQLScalarType;
    const valid = (v: string): boolean => {
      try {
        email.parseValue(v);
        return true;
      } catch {
        return false;
      }
    };
    for (const v of ['bob@example.com', 'a.b+c@mail.example.co.uk', 'x@y.z']) assert.equal(valid(v), true, v);
    for (const v of [
      '',
      'bob',
      '@example.com',
      'bob@',
      'bob@example',
      'bob@.com',
      'bob@example.',
      'b ob@example.com',
      'a@b@c.d',
      `${'a'.repeat(310)}@example.com`,
    ])
      assert.equal(valid(v), false, v);
    const started = performance.now();
    assert.equal(valid(`a@${'.'.repeat(200_000)}@`), false);
    assert.ok(performance.now() - started < 1000, `took ${Math.round(performance.now() - started)} ms`);
  });
});
