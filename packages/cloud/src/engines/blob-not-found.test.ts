import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobNotFoundError, isBlobNotFound } from './types.js';

// The brand as another copy of @forte/protocol makes it: its own symbol value, the same global key.
const COPIED_BRAND: unique symbol = Symbol.for('forte.error');

void describe('isBlobNotFound', () => {
  it('recognises the error of a blob store built on another copy of this package', () => {
    class CopiedBlobNotFoundError extends Error {
      readonly [COPIED_BRAND] = 'blob-not-found';
    }
    assert.ok(isBlobNotFound(new CopiedBlobNotFoundError('no blob b1')));
    assert.ok(isBlobNotFound(new BlobNotFoundError('no blob b1')));
    assert.equal(isBlobNotFound(new Error('no blob b1')), false);
    assert.equal(isBlobNotFound(undefined), false);
  });
});
