import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { checkAdminWrite, checkUserWrite, readableAttributes, requiredAttributes, schemaAttributes } from './attribute-schema.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

const pool: StoredPool = {
  id: 'us-east-1_Abc',
  name: 'p',
  config: {
    PoolName: 'p',
    RequiredAttributes: ['email'],
    Schema: [
      { Name: 'tier' },
      { Name: 'plan', Mutable: false, Required: true },
      { Name: 'risk', DeveloperOnlyAttribute: true },
      { Name: 'score', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0', MaxValue: '10' } },
      { Name: 'code', StringAttributeConstraints: { MinLength: '2', MaxLength: '4' } },
    ],
  },
};
const client: StoredClient = {
  id: 'c',
  poolId: pool.id,
  name: 'web',
  secret: undefined,
  refreshTokenValidityDays: 30,
  accessTokenSeconds: 3600,
  idTokenSeconds: 3600,
  preventUserExistenceErrors: 'ENABLED',
};
const user = (attributes: Record<string, string>): StoredUser => ({
  poolId: pool.id,
  username: 'u',
  sub: 's',
  status: 'CONFIRMED',
  enabled: true,
  attributes,
  srpSalt: undefined,
  srpVerifier: undefined,
  passwordHash: undefined,
  mfa: { smsEnabled: false, totpEnabled: false },
  totpSecret: undefined,
  createdAt: '',
  updatedAt: '',
});
const refusal = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(isForteError(error));
    return `${error.code}: ${error.message}`;
  }
  return 'allowed';
};

void describe('attribute rules', () => {
  void it("lists the pool's attributes as DescribeUserPool's SchemaAttributes: sub and non-mutable ones read-only, required ones required", () => {
    const schema = new Map(schemaAttributes(pool).map((a) => [a.Name, a]));
    assert.deepEqual(schema.get('sub'), { Name: 'sub', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: false, Required: true });
    assert.equal(schema.get('email')?.Required, true);
    assert.equal(schema.get('email')?.Mutable, true);
    assert.equal(schema.get('email_verified')?.AttributeDataType, 'Boolean');
    assert.equal(schema.get('custom:plan')?.Mutable, false);
    assert.equal(schema.get('custom:plan')?.Required, true);
    assert.equal(schema.get('custom:tier')?.Mutable, true);
    assert.equal(schema.get('dev:custom:risk')?.DeveloperOnlyAttribute, true);
    assert.equal(schema.get('custom:score')?.AttributeDataType, 'Number');
    assert.deepEqual(schema.get('custom:code')?.StringAttributeConstraints, { MinLength: '2', MaxLength: '4' });
    assert.equal(schema.has('tier'), false, 'custom attributes carry their prefix');
  });

  void it("lets users write standard and declared custom attributes only, within the client's WriteAttributes", () => {
    assert.equal(
      refusal(() =>
        checkUserWrite(pool, client, { email: 'a@b.c', 'custom:tier': 'x', 'custom:plan': 'p', 'custom:score': '3', 'custom:code': 'ab' }, undefined),
      ),
      'allowed',
    );
    for (const name of ['cognito:preferred_role', 'cognito:groups', 'custom:undeclared', 'token_use', 'dev:custom:undeclared']) {
      assert.equal(
        refusal(() => checkUserWrite(pool, client, { [name]: 'x' }, undefined)),
        'InvalidParameterException: Attribute does not exist in the schema.',
        name,
      );
    }
    for (const name of ['email_verified', 'phone_number_verified', 'dev:custom:risk']) {
      assert.equal(
        refusal(() => checkUserWrite(pool, client, { [name]: 'true' }, undefined)),
        'NotAuthorizedException: A client attempted to write unauthorized attribute',
        name,
      );
    }
    assert.match(
      refusal(() => checkUserWrite(pool, client, { sub: 'x' }, undefined)),
      /InvalidParameterException: Cannot modify the non-mutable attribute sub/,
    );
    const limited = { ...client, writeAttributes: ['email'] };
    assert.equal(
      refusal(() => checkUserWrite(pool, limited, { email: 'a@b.c' }, undefined)),
      'allowed',
    );
    assert.equal(
      refusal(() => checkUserWrite(pool, limited, { name: 'N' }, undefined)),
      'NotAuthorizedException: A client attempted to write unauthorized attribute',
    );
  });

  void it('keeps immutable attributes and checks values against the schema', () => {
    assert.equal(
      refusal(() => checkUserWrite(pool, client, { 'custom:plan': 'pro' }, user({ 'custom:plan': 'basic' }))),
      'InvalidParameterException: Cannot modify the non-mutable attribute custom:plan',
    );
    assert.equal(
      refusal(() => checkUserWrite(pool, client, { 'custom:plan': 'basic' }, user({ 'custom:plan': 'basic' }))),
      'allowed',
      'the same value is no change',
    );
    assert.match(
      refusal(() => checkUserWrite(pool, client, { 'custom:score': '11' }, undefined)),
      /out of range/,
    );
    assert.match(
      refusal(() => checkUserWrite(pool, client, { 'custom:score': '1e3' }, undefined)),
      /Number expected/,
    );
    assert.match(
      refusal(() => checkUserWrite(pool, client, { 'custom:code': 'abcde' }, undefined)),
      /length/,
    );
    assert.match(
      refusal(() => checkUserWrite(pool, client, { 'custom:code': 'a' }, undefined)),
      /length/,
    );
  });

  void it('lets admins set the verification flags and developer-only attributes, nothing outside the schema', () => {
    assert.equal(
      refusal(() => checkAdminWrite(pool, { email_verified: 'true', 'dev:custom:risk': 'high' }, undefined)),
      'allowed',
    );
    assert.match(
      refusal(() => checkAdminWrite(pool, { email_verified: 'yes' }, undefined)),
      /Boolean expected/,
    );
    assert.equal(
      refusal(() => checkAdminWrite(pool, { 'cognito:preferred_role': 'x' }, undefined)),
      'InvalidParameterException: Attribute does not exist in the schema.',
    );
    assert.match(
      refusal(() => checkAdminWrite(pool, { 'custom:plan': 'pro' }, user({ 'custom:plan': 'basic' }))),
      /non-mutable/,
    );
  });

  void it('shows users what the pool knows and the client reads, never developer-only or reserved names', () => {
    const stored = user({ email: 'a@b.c', email_verified: 'true', 'custom:tier': 't', 'dev:custom:risk': 'r', 'cognito:preferred_role': 'x', sub: 'forged' });
    assert.deepEqual(
      readableAttributes(pool, client, stored).map(([n]) => n),
      ['email', 'email_verified', 'custom:tier'],
    );
    assert.deepEqual(
      readableAttributes(pool, { ...client, readAttributes: ['email'] }, stored).map(([n]) => n),
      ['email'],
      'email_verified only when listed',
    );
  });

  void it('requires RequiredAttributes and Schema entries marked Required', () => {
    assert.deepEqual(requiredAttributes(pool), ['email', 'custom:plan']);
  });
});
