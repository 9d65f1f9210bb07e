import assert from 'node:assert/strict';
import { KeyObject, sign, type webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { createSecretBox } from '../../kernel/secret-box.js';
import { cognitoIdpMigrations } from './migrations.js';
import { createTokenKeys } from './token-keys.js';
import { issueTokens, verifyToken, verifyTokenSignature } from './tokens.js';
import type { StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

const ISSUER = 'http://127.0.0.1:1/us-east-1_Abc123456';
const user: StoredUser = {
  poolId: 'us-east-1_Abc123456',
  username: 'u1',
  sub: '5f0c1e4a-0000-4000-8000-000000000001',
  status: 'CONFIRMED',
  enabled: true,
  attributes: { email: 'a@example.com', email_verified: 'true' },
  srpSalt: undefined,
  srpVerifier: undefined,
  passwordHash: undefined,
  mfa: { smsEnabled: false, totpEnabled: false },
  totpSecret: undefined,
  createdAt: '',
  updatedAt: '',
};

async function withKeys(fn: (keys: ReturnType<typeof createTokenKeys>) => Promise<void>): Promise<void> {
  const sql = createSqliteStore(':memory:');
  try {
    await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
    const keys = createTokenKeys(sql, createSecretBox(Buffer.alloc(32, 1)));
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
    assert.ok(
      keys.jwks().keys.every((k) => k.d === undefined),
      'the JWKS holds public keys only',
    );
    assert.ok(await verifyTokenSignature(keys, old.IdToken, ISSUER, 'id'), 'tokens from before the rotation still verify');
    const fresh = await issueTokens({ keys, issuer: ISSUER, clientId: 'c1', user, groups: [], originJti: 'o2', authTime: 1 });
    assert.equal(decodeProtectedHeader(fresh.IdToken).kid, newKid);
  });
});

test('expired, unsigned and foreign-key tokens are refused', async () => {
  await withKeys(async (keys) => {
    const { kid, key } = await keys.signingKey();
    const claims = { token_use: 'id', origin_jti: 'o', 'cognito:username': 'u1', aud: 'c1' };
    const own = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setSubject('s')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    assert.ok(await verifyTokenSignature(keys, own, ISSUER, 'id'), "the same claims signed with the cloud's key verify");
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setSubject('s')
      .setIssuedAt(0)
      .setExpirationTime(10)
      .sign(key);
    assert.equal(await verifyTokenSignature(keys, expired, ISSUER, 'id'), undefined);
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setSubject('s')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    assert.equal(await verifyTokenSignature(keys, foreign, ISSUER, 'id'), undefined);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: ISSUER, sub: 's', exp: 9e9 })).toString('base64url')}.`;
    assert.equal(await verifyTokenSignature(keys, none, ISSUER, 'id'), undefined);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .setIssuer(ISSUER)
      .setSubject('s')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('secret-secret-secret-secret-32by'));
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

test('verifyToken needs exp, iat not ahead of the clock, no crit, a known kid and one spelling of the signature', async () => {
  await withKeys(async (keys) => {
    const { kid, key } = await keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const claims = { token_use: 'access', origin_jti: 'o', client_id: 'c1', username: 'u1' };
    const signed = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid, ...header })
        .setIssuer(ISSUER)
        .setSubject('s')
        .sign(key);
    const good = await signed({ ...claims, iat: now, exp: now + 60 });
    assert.equal(verifyToken(keys, good, ISSUER, 'access')?.username, 'u1', 'the same claims, well formed, verify');
    assert.equal(verifyToken(keys, await signed({ ...claims, iat: now }), ISSUER, 'access'), undefined, 'no exp');
    assert.equal(verifyToken(keys, await signed({ ...claims, exp: now + 60 }), ISSUER, 'access'), undefined, 'no iat');
    assert.equal(verifyToken(keys, await signed({ ...claims, iat: now + 3600, exp: now + 7200 }), ISSUER, 'access'), undefined, 'iat in the future');
    assert.equal(verifyToken(keys, await signed({ ...claims, iat: now, exp: now + 60, nbf: now + 30 }), ISSUER, 'access'), undefined, 'not yet valid');
    assert.equal(verifyToken(keys, await signed({ ...claims, iat: now, exp: now }), ISSUER, 'access'), undefined, 'at exp');
    assert.equal(verifyToken(keys, await signed({ ...claims, client_id: undefined, iat: now, exp: now + 60 }), ISSUER, 'access'), undefined, 'no client_id');
    assert.equal(verifyToken(keys, await signed({ ...claims, token_use: 'id', iat: now, exp: now + 60 }), ISSUER, 'id'), undefined, 'an ID token needs aud');
    // jose signs no header it does not know, so this one is signed by hand.
    const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${part({ alg: 'RS256', kid, crit: ['x-forte'], 'x-forte': 1 })}.${part({ ...claims, iss: ISSUER, sub: 's', iat: now, exp: now + 60 })}`;
    const critical = `${signingInput}.${sign('sha256', Buffer.from(signingInput), KeyObject.from(key as webcrypto.CryptoKey)).toString('base64url')}`;
    assert.equal(verifyToken(keys, critical, ISSUER, 'access'), undefined, 'crit');
    const plainInput = `${part({ alg: 'RS256', kid })}.${part({ ...claims, iss: ISSUER, sub: 's', iat: now, exp: now + 60 })}`;
    const plain = `${plainInput}.${sign('sha256', Buffer.from(plainInput), KeyObject.from(key as webcrypto.CryptoKey)).toString('base64url')}`;
    assert.ok(verifyToken(keys, plain, ISSUER, 'access'), 'the same token by hand without crit verifies');
    assert.equal(verifyToken(keys, await signed({ ...claims, iat: now, exp: now + 60 }, { kid: 'other' }), ISSUER, 'access'), undefined, 'unknown kid');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    // 256 bytes take 342 characters: the low 4 bits of the last one carry nothing.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${signature.slice(0, -1)}${alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1]!}`;
    assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(signature, 'base64url'), 'the same signature bytes');
    assert.equal(verifyToken(keys, `${header}.${payload}.${respelled}`, ISSUER, 'access'), undefined, 'another spelling of the signature');
    assert.equal(verifyToken(keys, `${header}.${payload}.${signature}.`, ISSUER, 'access'), undefined, 'four parts');
    assert.equal(verifyToken(keys, `${header}.${payload}=.${signature}`, ISSUER, 'access'), undefined, 'padding');
    assert.equal(verifyToken(keys, 42, ISSUER, 'access'), undefined, 'not a string');
  });
});

test('the ID token never takes reserved claims from attributes, whatever the store holds; group claims come from groups', async () => {
  await withKeys(async (keys) => {
    const stored: StoredUser = {
      ...user,
      attributes: {
        ...user.attributes,
        'custom:tier': 'gold',
        'dev:custom:risk': 'high',
        'cognito:preferred_role': 'arn:aws:iam::123456789012:role/privileged',
        'cognito:roles': 'arn:aws:iam::123456789012:role/privileged',
        'cognito:groups': 'admins',
        token_use: 'access',
        aud: 'other',
        auth_time: '0',
        client_id: 'other',
      },
    };
    const pool: StoredPool = {
      id: user.poolId,
      name: 'p',
      config: { PoolName: 'p', Schema: [{ Name: 'tier' }, { Name: 'risk', DeveloperOnlyAttribute: true }] },
    };
    const client = {
      id: 'c1',
      poolId: user.poolId,
      name: 'web',
      secret: undefined,
      refreshTokenValidityDays: 30,
      accessTokenSeconds: 3600,
      idTokenSeconds: 3600,
      preventUserExistenceErrors: 'ENABLED' as const,
    };
    const claimsOf = async (options: { pool?: StoredPool; groupRoles?: string[]; groups?: string[]; readAttributes?: string[] }) => {
      const issued = await issueTokens({
        keys,
        issuer: ISSUER,
        clientId: 'c1',
        user: stored,
        groups: options.groups ?? [],
        originJti: 'o1',
        authTime: 7,
        ...(options.pool ? { pool: options.pool, client: { ...client, readAttributes: options.readAttributes } } : {}),
        ...(options.groupRoles ? { groupRoles: options.groupRoles } : {}),
      });
      return verifyToken(keys, issued.IdToken, ISSUER, 'id')!;
    };
    for (const claims of [await claimsOf({ pool }), await claimsOf({})]) {
      assert.deepEqual(
        [
          claims['cognito:preferred_role'],
          claims['cognito:roles'],
          claims['cognito:groups'],
          claims.token_use,
          claims.aud,
          claims.auth_time,
          claims.client_id,
          claims['dev:custom:risk'],
        ],
        [undefined, undefined, undefined, 'id', 'c1', 7, undefined, undefined],
      );
      assert.equal(claims.email, 'a@example.com');
    }
    assert.equal((await claimsOf({ pool }))['custom:tier'], 'gold');
    const member = await claimsOf({ pool, groups: ['editors'], groupRoles: ['arn:aws:iam::123456789012:role/editors'] });
    assert.deepEqual(
      [member['cognito:groups'], member['cognito:roles'], member['cognito:preferred_role']],
      [['editors'], ['arn:aws:iam::123456789012:role/editors'], 'arn:aws:iam::123456789012:role/editors'],
    );
    const limited = await claimsOf({ pool, readAttributes: ['custom:tier'] });
    assert.deepEqual([limited.email, limited.email_verified, limited['custom:tier']], [undefined, undefined, 'gold'], 'ReadAttributes limit the claims');
  });
});

test('private signing keys are kept sealed; plaintext keys from before sealing are sealed at start and keep signing', async () => {
  const sql = createSqliteStore(':memory:');
  const secrets = createSecretBox(Buffer.alloc(32, 1));
  try {
    await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
    const keys = createTokenKeys(sql, secrets);
    await keys.start();
    const kid = await keys.rotate();
    const row = await sql.get<{ private_jwk: string }>('SELECT private_jwk FROM cognito_signing_keys WHERE kid = ?', [kid]);
    assert.ok(row && secrets.isSealed(row.private_jwk) && !row.private_jwk.includes('"d"'), 'the private key is not stored as plaintext');

    // A key stored by a cloud from before sealing: plaintext JSON.
    const legacy = { ...JSON.parse(secrets.open(row.private_jwk, `cognito_signing_keys.private_jwk:${kid}`)) } as Record<string, unknown>;
    await sql.run('UPDATE cognito_signing_keys SET private_jwk = ? WHERE kid = ?', [JSON.stringify(legacy), kid]);
    const restarted = createTokenKeys(sql, secrets);
    await restarted.start();
    const after = await sql.get<{ private_jwk: string }>('SELECT private_jwk FROM cognito_signing_keys WHERE kid = ?', [kid]);
    assert.ok(after && secrets.isSealed(after.private_jwk));
    assert.equal((await restarted.signingKey()).kid, kid, 'the same key still signs: nobody is signed out');
    const tokens = await issueTokens({ keys: restarted, issuer: ISSUER, clientId: 'c1', user, groups: [], originJti: 'o1', authTime: 1 });
    assert.ok(await verifyTokenSignature(keys, tokens.IdToken, ISSUER, 'id'));

    // Another key cannot open it: the service refuses to start rather than make a new key.
    await assert.rejects(createTokenKeys(sql, createSecretBox(Buffer.alloc(32, 2))).start(), /sealed with another secret key/);
  } finally {
    await sql.close();
  }
});
