import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPostPolicy, parsePostPolicy } from './post-policy.js';

const encode = (document: unknown): string => Buffer.from(typeof document === 'string' ? document : JSON.stringify(document)).toString('base64');
const now = new Date('2026-12-05T12:00:00Z');
const policy = (conditions: unknown[], expiration = '2026-12-05T13:00:00.000Z') => parsePostPolicy(encode({ expiration, conditions }));
const check = (conditions: unknown[], fields: Record<string, string>, bucket = 'photos') =>
  checkPostPolicy(policy(conditions), { fields: new Map(Object.entries(fields)), bucket, now });
const refusal = (run: () => unknown): { code: string | undefined; message: string } => {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code, message };
  }
  assert.fail('expected a refusal');
};

void describe('POST Object policies', () => {
  void it('answer the content-length-range and accept fields every condition names, x-ignore-* and the signature aside', () => {
    const range = check([{ bucket: 'photos' }, ['starts-with', '$key', 'user/'], ['content-length-range', 1, 1024], ['eq', '$x-amz-meta-tag', 'cat']], {
      key: 'user/a.jpg',
      'x-amz-meta-tag': 'cat',
      'x-ignore-note': 'n',
      'x-amz-signature': 's',
      policy: 'p',
      bucket: 'ignored',
    });
    assert.deepEqual(range, { min: 1, max: 1024 });
  });

  void it('compare condition field names without case and values with it', () => {
    assert.equal(check([['starts-with', '$KEY', 'user/'], { BUCKET: 'photos' }], { key: 'user/x' }), undefined);
    assert.match(refusal(() => check([['eq', '$key', 'User/x']], { key: 'user/x' })).message, /Policy Condition failed: \["eq", "\$key", "User\/x"\]/);
  });

  void it('match each type of a Content-Type list against starts-with, and an empty prefix against anything', () => {
    assert.equal(
      check(
        [
          ['starts-with', '$Content-Type', 'image/'],
          ['starts-with', '$key', ''],
        ],
        { 'content-type': 'image/png, image/jpeg', key: 'k' },
      ),
      undefined,
    );
    const mixed = refusal(() =>
      check(
        [
          ['starts-with', '$Content-Type', 'image/'],
          ['starts-with', '$key', ''],
        ],
        { 'content-type': 'image/png, text/html', key: 'k' },
      ),
    );
    assert.equal(mixed.code, 'AccessDenied');
  });

  void it('refuse an expired policy, a field no condition names, and a bucket other than the one addressed', () => {
    assert.deepEqual(
      refusal(() => checkPostPolicy(policy([], '2026-12-05T11:59:59Z'), { fields: new Map(), bucket: 'photos', now })),
      { code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
    );
    assert.equal(
      refusal(() => check([['starts-with', '$key', '']], { key: 'k', acl: 'private' })).message,
      'Invalid according to Policy: Extra input fields: acl',
    );
    assert.match(refusal(() => check([{ bucket: 'photos' }], {}, 'other')).message, /\["eq", "\$bucket", "photos"\]/);
  });

  void it('refuse documents that are not policies with InvalidPolicyDocument', () => {
    for (const document of [
      '{not json',
      '[]',
      { conditions: [] },
      { expiration: 'tomorrow', conditions: [] },
      { expiration: '2026-12-05T13:00:00Z' },
      { expiration: '2026-12-05T13:00:00Z', conditions: {} },
      { expiration: '2026-12-05T13:00:00Z', conditions: [['matches', '$key', '.*']] },
      { expiration: '2026-12-05T13:00:00Z', conditions: [['eq', 'key', 'x']] },
      { expiration: '2026-12-05T13:00:00Z', conditions: [{ key: 'a', acl: 'b' }] },
      { expiration: '2026-12-05T13:00:00Z', conditions: [['content-length-range', 10, 1]] },
    ]) {
      assert.equal(refusal(() => parsePostPolicy(encode(document))).code, 'InvalidPolicyDocument', JSON.stringify(document));
    }
  });
});
