import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppSyncFieldError } from './field-error.js';
import { createNextTokenCodec } from './next-token.js';

const key = randomBytes(32);
const codec = createNextTokenCodec(() => key);
const KEY_ATTRIBUTES = ['id', 'kind', 'secret'];
const lastKey = { id: { S: 'n1' }, kind: { S: 'k' }, secret: { S: 'hidden-value' } };

const refused = (run: () => unknown): boolean => {
  try {
    run();
    return false;
  } catch (error) {
    return error instanceof AppSyncFieldError && error.errorType === 'InvalidNextTokenException';
  }
};

void describe('nextToken sealing', () => {
  void it('answers the key it sealed, for the scope it was sealed for, and nothing readable to the caller', () => {
    const token = codec.encode(lastKey, 'api/Note/byKind')!;
    assert.deepEqual(codec.decode(token, KEY_ATTRIBUTES, 'api/Note/byKind'), lastKey);
    assert.equal(Buffer.from(token, 'base64').toString('latin1').includes('hidden-value'), false);
    assert.notEqual(codec.encode(lastKey, 'api/Note/byKind'), token, 'each token has its own nonce');
    assert.equal(codec.encode(undefined, 'api/Note/byKind'), null);
    assert.equal(codec.decode(null, KEY_ATTRIBUTES, 'api/Note/byKind'), undefined);
  });

  void it('refuses a token altered, made up, from another scope or sealed with another key', () => {
    const token = codec.encode(lastKey, 'api/Note/byKind')!;
    const raw = Buffer.from(token, 'base64');
    raw[raw.length - 1]! ^= 1;
    assert.ok(refused(() => codec.decode(raw.toString('base64'), KEY_ATTRIBUTES, 'api/Note/byKind')));
    assert.ok(refused(() => codec.decode(Buffer.from(JSON.stringify(lastKey)).toString('base64'), KEY_ATTRIBUTES, 'api/Note/byKind')));
    assert.ok(refused(() => codec.decode(token, KEY_ATTRIBUTES, 'api/Note/')));
    assert.ok(refused(() => createNextTokenCodec(() => randomBytes(32)).decode(token, KEY_ATTRIBUTES, 'api/Note/byKind')));
    assert.ok(refused(() => codec.decode('AAAA', KEY_ATTRIBUTES, 'api/Note/byKind')));
    assert.ok(
      refused(() => codec.decode(codec.encode({ title: { S: 'x' } }, 'api/Note/')!, KEY_ATTRIBUTES, 'api/Note/')),
      'only key attributes',
    );
  });
});
