import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretOpenError, createSecretBox } from './secret-box.js';

void describe('secret box', () => {
  const box = createSecretBox(Buffer.alloc(32, 1));

  void it('seals with a fresh nonce and opens only with its key and context', () => {
    const sealed = box.seal('the secret', 'table.column:row1');
    assert.ok(box.isSealed(sealed));
    assert.ok(!sealed.includes('the secret'));
    assert.notEqual(box.seal('the secret', 'table.column:row1'), sealed, 'each seal uses a new nonce');
    assert.equal(box.open(sealed, 'table.column:row1'), 'the secret');
    assert.throws(() => box.open(sealed, 'table.column:row2'), SecretOpenError, 'a value moved to another row does not open');
    assert.throws(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed, 'table.column:row1'), /sealed with another secret key/);
  });

  void it('refuses altered, truncated and plaintext values', () => {
    const sealed = box.seal('x', 'c');
    // Flip bits of the decoded bytes (the last base64url character may carry unused bits, so editing it may change nothing).
    const at = sealed.lastIndexOf(':') + 1;
    const flipped = (index: number): string => {
      const bytes = Buffer.from(sealed.slice(at), 'base64url');
      bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
      return sealed.slice(0, at) + bytes.toString('base64url');
    };
    for (const index of [0, 12, -1]) assert.throws(() => box.open(flipped(index), 'c'), SecretOpenError, `byte ${index} altered`);
    assert.throws(() => box.open(sealed.slice(0, 30), 'c'), SecretOpenError);
    assert.throws(() => box.open('{"d":"plaintext"}', 'c'), /not sealed/);
    assert.equal(box.isSealed('{"d":"plaintext"}'), false);
  });

  void it('takes only 32-byte keys', () => {
    assert.throws(() => createSecretBox(Buffer.alloc(16)), /32 bytes/);
  });

  void it('derives the same bytes for a purpose from the same key only, and other bytes for another purpose', () => {
    const derived = box.derive('lambda:code-location');
    assert.equal(derived.length, 32);
    assert.deepEqual(createSecretBox(Buffer.alloc(32, 1)).derive('lambda:code-location'), derived, 'another instance with the key');
    assert.notDeepEqual(createSecretBox(Buffer.alloc(32, 2)).derive('lambda:code-location'), derived);
    assert.notDeepEqual(box.derive('another purpose'), derived);
    assert.notDeepEqual(derived, Buffer.alloc(32, 1));
  });
});
