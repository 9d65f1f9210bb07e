import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { COGNITO_IDP_MIGRATIONS } from './migrations.js';
import { createTokenKeys } from './token-keys.js';
import { issueTokens, verifyTokenSignature } from './tokens.js';
import type { StoredUser } from './user-store.js';

const ISSUER = 'http://127.0.0.1:1/us-east-1_Abc123456';
const user: StoredUser = {
  poolId: 'us-east-1_Abc123456', username: 'u1', sub: '5f0c1e4a-0000-4000-8000-000000000001', status: 'CONFIRMED', enabled: true,
  attributes: { email: 'a@example.com', email_verified: 'true' }, srpSalt: undefined, srpVerifier: undefined, passwordHash: undefined,
  mfa: { smsEnabled: false, totpEnabled: false }, totpSecret: undefined, createdAt: '', updatedAt: '',
};

async function withKeys(fn: (keys: ReturnType<typeof createTokenKeys>) => Promise<void>): Promise<void> {
  const sql = createSqliteStore(':memory:');
  try {
    await sql.migrate('cognito-idp', COGNITO_IDP_MIGRATIONS);
    const keys = createTokenKeys(sql);
    await keys.start();
    await fn(keys);
  } finally {
    await sql.close();
  }
}

test('tokens carry Cognito claims and verify; rotation keeps old tokens valid', async () => {
  await withKeys(async (keys) => {
    const old = await issueTokens({ keys, issuer: ISSUER, clientId: 'c1', user, groups: ['g1'], originJti: 'o1', authTime: 1 });
    const id = await verifyTokenSignature(keys, old.IdToken, ISSUER, 'id');
    assert.equal(id?.['cognito:username'], 'u1');
    assert.equal(id?.email_verified, true);
    assert.deepEqual(id?.['cognito:groups'], ['g1']);
    assert.equal(id?.aud, 'c1');
    const access = await verifyTokenSignature(keys, old.AccessToken, ISSUER, 'access');
    assert.equal(access?.scope, 'aws.cognito.signin.user.admin');
    assert.equal(access?.client_id, 'c1');
    assert.equal(await verifyTokenSignature(keys, old.AccessToken, ISSUER, 'id'), undefined, 'an access token is not an ID token');
    assert.equal(await verifyTokenSignature(keys, old.IdToken, 'http://elsewhere/us-east-1_Abc123456', 'id'), undefined, 'other issuer');

    const oldKid = decodeProtectedHeader(old.IdToken).kid;
    const newKid = await keys.rotate();
    assert.notEqual(newKid, oldKid);
    assert.equal(keys.jwks().keys.length, 2);
    assert.ok(keys.jwks().keys.every((k) => k.d === undefined), 'the JWKS holds public keys only');
    assert.ok(await verifyTokenSignature(keys, old.IdToken, ISSUER, 'id'), 'tokens from before the rotation still verify');
    const fresh = await issueTokens({ keys, issuer: ISSUER, clientId: 'c1', user, groups: [], originJti: 'o2', authTime: 1 });
    assert.equal(decodeProtectedHeader(fresh.IdToken).kid, newKid);
  });
});

test('expired, unsigned and foreign-key tokens are refused', async () => {
  await withKeys(async (keys) => {
    const { kid, key } = await keys.signingKey();
    const claims = { token_use: 'id', origin_jti: 'o', 'cognito:username': 'u1' };
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(ISSUER).setSubject('s').setIssuedAt(0).setExpirationTime(10).sign(key);
    assert.equal(await verifyTokenSignature(keys, expired, ISSUER, 'id'), undefined);
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(ISSUER).setSubject('s').setExpirationTime('1h').sign(privateKey);
    assert.equal(await verifyTokenSignature(keys, foreign, ISSUER, 'id'), undefined);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: ISSUER, sub: 's', exp: 9e9 })).toString('base64url')}.`;
    assert.equal(await verifyTokenSignature(keys, none, ISSUER, 'id'), undefined);
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).setIssuer(ISSUER).setSubject('s').setExpirationTime('1h').sign(new TextEncoder().encode('secret-secret-secret-secret-32by'));
    assert.equal(await verifyTokenSignature(keys, hs, ISSUER, 'id'), undefined);
  });
});

test('a new data dir gets its signing key on first use, once, however many ask at once', async () => {
  await withKeys(async (keys) => {
    assert.equal(keys.jwks().keys.length, 0, 'no key is made at start');
    const kids = await Promise.all(Array.from({ length: 5 }, async () => (await keys.signingKey()).kid));
    assert.equal(new Set(kids).size, 1);
    assert.equal(keys.jwks().keys.length, 1);
  });
});
