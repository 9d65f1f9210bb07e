import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNewName, levelsOf, nameProblem, normalizePath, parameterArn } from './parameter-names.js';

const ARN_PREFIX = parameterArn('us-east-1', '123456789012', '').length;

void describe('SSM parameter names', () => {
  void it('accepts the names AWS accepts', () => {
    for (const name of ['plain', 'with.dots-and_underscores', '/amplify/d1abc/dev/AMPLIFY_fn_TOKEN', `/${'l/'.repeat(14)}last`]) {
      assert.equal(nameProblem(name), undefined, name);
      assert.doesNotThrow(() => checkNewName(name, ARN_PREFIX), name);
    }
  });

  void it('refuses the others, with the code AWS answers', () => {
    const cases: [string, string][] = [
      ['', 'ValidationException'],
      ['a/b', 'ValidationException'],
      ['/a/', 'ValidationException'],
      ['/a//b', 'ValidationException'],
      ['/a b', 'ValidationException'],
      ['/a*', 'ValidationException'],
      ['/ok/ünïcode', 'ValidationException'],
      ['aws-thing', 'ValidationException'],
      ['/Aws/thing', 'ValidationException'],
      ['ssm', 'ValidationException'],
      [`/${'x'.repeat(1011 - ARN_PREFIX)}`, 'ValidationException'],
      [`/${'l/'.repeat(15)}last`, 'HierarchyLevelLimitExceededException'],
    ];
    for (const [name, code] of cases) assert.throws(() => checkNewName(name, ARN_PREFIX), { code }, name);
    assert.doesNotThrow(() => checkNewName(`/${'x'.repeat(1010 - ARN_PREFIX)}`, ARN_PREFIX), 'exactly 1011 with the ARN');
    assert.doesNotThrow(() => checkNewName('/awesome/x', ARN_PREFIX), 'aws only as a prefix of the first level');
    assert.doesNotThrow(() => checkNewName('/x/aws', ARN_PREFIX), 'aws below the first level');
  });

  void it('counts levels and normalises paths', () => {
    assert.deepEqual(['/', 'a', '/a', '/a/b/c'].map(levelsOf), [0, 1, 1, 3]);
    assert.equal(normalizePath('/'), '/');
    assert.equal(normalizePath('/a/b/'), '/a/b');
    assert.throws(() => normalizePath('a/b'), { code: 'ValidationException' });
    assert.throws(() => normalizePath(`/${'l/'.repeat(15)}x`), { code: 'HierarchyLevelLimitExceededException' });
  });

  void it('makes ARNs without the leading slash', () => {
    assert.equal(parameterArn('eu-west-1', '123456789012', '/a/b'), 'arn:aws:ssm:eu-west-1:123456789012:parameter/a/b');
    assert.equal(parameterArn('eu-west-1', '123456789012', 'plain'), 'arn:aws:ssm:eu-west-1:123456789012:parameter/plain');
  });
});
