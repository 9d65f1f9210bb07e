import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JWTPayload } from 'jose';
import { createVerifiedTokens } from './verified-tokens.js';

test('a verified token is verified once until its exp; refusals are verified again', () => {
  let clock = 1_000_000_000_000;
  const tokens = createVerifiedTokens({ now: () => clock });
  const exp = clock / 1000 + 60;
  let calls = 0;
  const verify = (claims: JWTPayload | undefined) => () => {
    calls++;
    return claims;
  };
  assert.equal(tokens.claims('t1', verify({ sub: 's', exp }))?.sub, 's');
  assert.equal(tokens.claims('t1', verify({ sub: 'not asked' }))?.sub, 's');
  assert.equal(calls, 1, 'the second call is answered from memory');
  assert.equal(tokens.claims('bad', verify(undefined)), undefined);
  assert.equal(tokens.claims('bad', verify(undefined)), undefined);
  assert.equal(calls, 3, 'refusals are not remembered');

  assert.equal(tokens.claims('t2', verify({ sub: 's2', exp })), tokens.claims('t2', verify(undefined)));
  assert.equal(calls, 4);
  clock += 60_000;
  assert.equal(tokens.claims('t2', verify(undefined)), undefined, 'at exp the token is verified again (and refused)');
  assert.equal(calls, 5);
  tokens.claims('late', verify({ sub: 's3', exp: clock / 1000 }));
  assert.equal(tokens.claims('late', verify(undefined)), undefined, 'a token at its exp is not remembered');
  assert.equal(calls, 7);
});

test('holds at most maxEntries tokens, dropping the oldest', () => {
  const tokens = createVerifiedTokens({ maxEntries: 3 });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  let calls = 0;
  const verify = () => {
    calls++;
    return { exp };
  };
  for (const t of ['a', 'b', 'c', 'd']) tokens.claims(t, verify);
  assert.equal(tokens.size(), 3);
  assert.equal(calls, 4);
  tokens.claims('d', verify);
  tokens.claims('b', verify);
  assert.equal(calls, 4, 'the newest are remembered');
  tokens.claims('a', verify);
  assert.equal(calls, 5, 'the oldest was dropped');
  assert.equal(tokens.size(), 3);
});
