import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, totpCode, verifyTotp } from './totp.js';

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (the 8-digit vectors, last 6 digits).
const SECRET = base32Encode(Buffer.from('12345678901234567890'));

test('codes match the RFC 6238 test vectors', () => {
  assert.equal(totpCode(SECRET, 59_000), '287082');
  assert.equal(totpCode(SECRET, 1111111109_000), '081804');
  assert.equal(totpCode(SECRET, 1234567890_000), '005924');
  assert.equal(totpCode(SECRET, 2000000000_000), '279037');
});

test('one step of drift either side is accepted, two are not', () => {
  const now = 1234567890_000;
  assert.equal(verifyTotp(SECRET, totpCode(SECRET, now - 30_000), now), true);
  assert.equal(verifyTotp(SECRET, totpCode(SECRET, now + 30_000), now), true);
  assert.equal(verifyTotp(SECRET, totpCode(SECRET, now - 90_000), now), false);
  assert.equal(verifyTotp(SECRET, 'abcdef', now), false);
});

test('base32 round-trips', () => {
  const bytes = Buffer.from([0, 1, 2, 250, 255, 7, 9]);
  assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
});
