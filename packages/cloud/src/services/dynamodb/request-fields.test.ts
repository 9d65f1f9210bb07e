import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EXPRESSION_BYTES, RequestExpressions } from './request-fields.js';

void describe('expression size', () => {
  void it('accepts 4 KB of expression and refuses one byte more, counted in UTF-8 as DynamoDB does', () => {
    const names = { '#n': 'a' };
    const within = `#n = #n${' '.repeat(MAX_EXPRESSION_BYTES - 7)}`;
    assert.ok(
      new RequestExpressions({ FilterExpression: within, ExpressionAttributeNames: names }).condition({ FilterExpression: within }, 'FilterExpression'),
    );
    const over = `#n = #n${' '.repeat(MAX_EXPRESSION_BYTES - 8)}é`; // 4096 characters, 4097 bytes
    assert.throws(
      () => new RequestExpressions({ FilterExpression: over, ExpressionAttributeNames: names }).condition({ FilterExpression: over }, 'FilterExpression'),
      { message: 'Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097' },
    );
  });
});
