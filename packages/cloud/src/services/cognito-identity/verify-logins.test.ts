import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDENTITY_TOKEN_VERIFIERS } from '../../kernel/capabilities.js';
import type { Capability } from '../../kernel/capability.js';
import type { IdentityTokenVerifier, VerifiedIdentityToken } from '../../kernel/types.js';
import { chooseRole, ruleMatches } from './choose-role.js';
import type { StoredIdentityPool } from './identity-store.js';
import { verifyLogins } from './verify-logins.js';

const provider = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123';
const pool: StoredIdentityPool = {
  poolId: 'us-east-1:pool',
  ownerKey: 'a/dev/s/IdentityPool',
  name: 'pool',
  allowUnauthenticated: true,
  providers: [{ ProviderName: provider, ClientId: 'client1' }],
  authenticatedRole: 'arn:aws:iam::123456789012:role/auth',
  unauthenticatedRole: 'arn:aws:iam::123456789012:role/unauth',
  roleMappings: {},
  loginProviders: {},
};
const issuer = 'http://127.0.0.1:20002/cognito-idp/us-east-1_Abc123';

/** A kernel whose one token verifier knows tokens by value, and records which provider names it was asked about. */
function fakeKernel(tokens: Record<string, Record<string, unknown>>) {
  const asked: string[] = [];
  const verifier: IdentityTokenVerifier = {
    async verify(name: string, token: string): Promise<VerifiedIdentityToken | undefined> {
      asked.push(name);
      const claims = Object.hasOwn(tokens, token) ? tokens[token] : undefined;
      if (name !== provider || !claims) return undefined;
      return { sub: String(claims.sub), username: 'u', groups: [], claims };
    },
  };
  return {
    asked,
    capability<Value>(capability: Capability<unknown, Value>): Value {
      assert.equal(capability, IDENTITY_TOKEN_VERIFIERS);
      return [verifier] as Value;
    },
  };
}

const good = { sub: 'sub-1', aud: 'client1', token_use: 'id', iss: issuer };

void describe('verifyLogins', () => {
  void it('accepts the provider name and the issuer without its scheme as login keys', async () => {
    const kernel = fakeKernel({ t: good });
    const byName = await verifyLogins(kernel, pool, { [provider]: 't' });
    const byIssuer = await verifyLogins(kernel, pool, { '127.0.0.1:20002/cognito-idp/us-east-1_Abc123': 't' });
    assert.deepEqual(
      byName.map((l) => [l.provider, l.subject]),
      [[provider, 'sub-1']],
    );
    assert.deepEqual(
      byIssuer.map((l) => [l.provider, l.subject]),
      [[provider, 'sub-1']],
    );
    assert.deepEqual(kernel.asked, [provider, provider], 'tokens are always verified under the pool provider name');
    assert.deepEqual(await verifyLogins(kernel, pool, {}), []);
  });

  void it('refuses unknown providers, unverifiable tokens, access tokens, other clients and mismatched issuers', async () => {
    const kernel = fakeKernel({
      t: good,
      access: { ...good, token_use: 'access' },
      other: { ...good, aud: 'client2' },
      elsewhere: { ...good, iss: 'http://evil:1/cognito-idp/us-east-1_Abc123' },
    });
    const refused = (logins: Record<string, string>, pattern: RegExp) =>
      assert.rejects(
        verifyLogins(kernel, pool, logins),
        (error: Error & { code?: string }) => error.code === 'NotAuthorizedException' && pattern.test(error.message),
      );
    await refused({ 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Other99': 't' }, /not configured/);
    await refused({ [provider]: 'forged' }, /not valid/);
    await refused({ [provider]: 'access' }, /ID token/);
    await refused({ [provider]: 'other' }, /audience/);
    await refused({ '127.0.0.1:20002/cognito-idp/us-east-1_Abc123': 'elsewhere' }, /issuer/);
  });

  void it('accepts a token of any app client the pool lists for the user pool (Amplify lists the native and the web client)', async () => {
    const twoClients = {
      ...pool,
      providers: [
        { ProviderName: provider, ClientId: 'client1' },
        { ProviderName: provider, ClientId: 'client2' },
      ],
    };
    const kernel = fakeKernel({ web: { ...good, aud: 'client2' }, third: { ...good, aud: 'client3' } });
    assert.deepEqual(
      (await verifyLogins(kernel, twoClients, { [provider]: 'web' })).map((l) => l.provider),
      [provider],
    );
    assert.deepEqual(
      (await verifyLogins(kernel, twoClients, { '127.0.0.1:20002/cognito-idp/us-east-1_Abc123': 'web' })).map((l) => l.provider),
      [provider],
    );
    await assert.rejects(verifyLogins(kernel, twoClients, { [provider]: 'third' }), /audience/);
  });
});

void describe('chooseRole', () => {
  const login = (claims: Record<string, unknown>) => [{ provider, subject: 's', token: { sub: 's', username: 'u', groups: [], claims } }];

  void it('gives guests the unauthenticated role, and refuses when the pool has none', () => {
    assert.equal(chooseRole(pool, [], undefined), pool.unauthenticatedRole);
    assert.throws(() => chooseRole({ ...pool, unauthenticatedRole: undefined }, [], undefined), /InvalidIdentityPoolConfiguration|no unauthenticated role/);
  });

  const groupRole = 'arn:aws:iam::123456789012:role/admins';
  const otherRole = 'arn:aws:iam::123456789012:role/editors';
  const groupClaims = { ...good, 'cognito:preferred_role': groupRole, 'cognito:roles': [groupRole, otherRole] };
  const withMapping = (mapping: StoredIdentityPool['roleMappings'][string]): StoredIdentityPool => ({
    ...pool,
    roleMappings: { [`${provider}:client1`]: mapping },
  });

  void it('gives users the authenticated role without a mapping, whatever role claims their token carries', () => {
    assert.equal(chooseRole(pool, login(good), undefined), pool.authenticatedRole);
    assert.equal(chooseRole(pool, login(groupClaims), undefined), pool.authenticatedRole);
    assert.throws(() => chooseRole(pool, login(groupClaims), groupRole), /CustomRoleArn/);
    assert.equal(chooseRole(pool, login(good), pool.authenticatedRole), pool.authenticatedRole);
  });

  void it('with a Token mapping, gives the preferred group role, a CustomRoleArn among the token roles, and resolves ambiguity as configured', () => {
    const token = withMapping({ Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' });
    assert.equal(chooseRole(token, login(groupClaims), undefined), groupRole);
    assert.equal(chooseRole(token, login(groupClaims), otherRole), otherRole);
    assert.throws(() => chooseRole(token, login(groupClaims), 'arn:aws:iam::123456789012:role/privileged'), /CustomRoleArn/);
    assert.equal(chooseRole(token, login(good), undefined), pool.authenticatedRole);
    const deny = withMapping({ Type: 'Token', AmbiguousRoleResolution: 'Deny' });
    assert.throws(
      () => chooseRole(deny, login(good), undefined),
      /ambiguous role mapping rules for: cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_Abc123 denied this request/,
    );
    const otherClient = { ...token, roleMappings: { [`${provider}:client9`]: token.roleMappings[`${provider}:client1`]! } };
    assert.equal(chooseRole(otherClient, login(groupClaims), undefined), pool.authenticatedRole, 'a mapping applies to its own app client only');
  });

  void it("with a Rules mapping, gives the first matching rule's role", () => {
    const rules = withMapping({
      Type: 'Rules',
      AmbiguousRoleResolution: 'Deny',
      RulesConfiguration: {
        Rules: [
          { Claim: 'cognito:groups', MatchType: 'Equals', Value: 'admins', RoleARN: groupRole },
          { Claim: 'email', MatchType: 'StartsWith', Value: 'ed', RoleARN: otherRole },
        ],
      },
    });
    assert.equal(chooseRole(rules, login({ ...good, 'cognito:groups': ['users', 'admins'] }), undefined), groupRole);
    assert.equal(chooseRole(rules, login({ ...good, email: 'ed@example.com' }), undefined), otherRole);
    assert.throws(() => chooseRole(rules, login({ ...good, email: 'al@example.com' }), undefined), /Deny/);
    assert.throws(() => chooseRole(rules, login({ ...good, email: 'ed@example.com' }), groupRole), /CustomRoleArn/);
  });

  void it('matches rules by Equals, Contains, StartsWith and NotEqual, on lists too; a missing claim matches nothing', () => {
    const rule = (MatchType: 'Equals' | 'Contains' | 'StartsWith' | 'NotEqual') => ({ Claim: 'c', MatchType, Value: 'ad', RoleARN: groupRole });
    assert.equal(ruleMatches(rule('Equals'), 'ad'), true);
    assert.equal(ruleMatches(rule('Equals'), 'admin'), false);
    assert.equal(ruleMatches(rule('Contains'), 'road'), true);
    assert.equal(ruleMatches(rule('StartsWith'), ['x', 'admin']), true);
    assert.equal(ruleMatches(rule('NotEqual'), 'x'), true);
    assert.equal(ruleMatches(rule('NotEqual'), ['x', 'ad']), false);
    assert.equal(ruleMatches(rule('NotEqual'), undefined), false);
  });
});
