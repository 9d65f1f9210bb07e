import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { evaluateConditions } from './iam-conditions.js';
import {
  conditionContext,
  createAuthorizer,
  createTrustChecker,
  evaluatePolicies,
  evaluateTrust,
  policyVariables,
  substituteVariables,
  wildcardMatch,
} from './iam-lite.js';
import type { PolicyDocument, Principal } from './types.js';

const role: Principal = { kind: 'role', accessKeyId: 'ASIATEST', roleArn: 'arn:aws:iam::123456789012:role/auth', identityId: 'us-east-1:abc-123' };
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });
const evaluate = (documents: PolicyDocument[], action: string, resource: string, principal: Principal = role) =>
  evaluatePolicies(documents, { action, resource, variables: policyVariables(principal), context: conditionContext(principal) });

void describe('wildcardMatch', () => {
  void it('matches * as any run of characters, including none and slashes', () => {
    assert.ok(wildcardMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::b/a/b/c'));
    assert.ok(wildcardMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::b/'));
    assert.ok(!wildcardMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::b'));
    assert.ok(wildcardMatch('*', ''));
  });
  void it('matches ? as exactly one character', () => {
    assert.ok(wildcardMatch('a?c', 'abc'));
    assert.ok(!wildcardMatch('a?c', 'ac'));
    assert.ok(!wildcardMatch('a?c', 'abbc'));
    assert.ok(wildcardMatch('a?c', 'a\u{1F600}c'));
  });
  void it('treats regular expression characters literally and anchors both ends', () => {
    assert.ok(!wildcardMatch('a.c', 'abc'));
    assert.ok(wildcardMatch('a(b)+[c]', 'a(b)+[c]'));
    assert.ok(!wildcardMatch('abc', 'xabcx'));
  });
});

void describe('substituteVariables', () => {
  void it('replaces known variables and escapes wildcards in their values', () => {
    assert.equal(substituteVariables('p/${cognito-identity.amazonaws.com:sub}/*', { 'cognito-identity.amazonaws.com:sub': 'id' }), 'p/id/*');
    const resolved = substituteVariables('p/${aws:userid}', { 'aws:userid': 'a*b' });
    assert.ok(resolved !== undefined && wildcardMatch(resolved, 'p/a*b'));
    assert.ok(!wildcardMatch(resolved, 'p/aXXb'), 'a * inside a value is not a wildcard');
  });
  void it('answers undefined when a variable is unknown', () => {
    assert.equal(substituteVariables('p/${cognito-identity.amazonaws.com:sub}', {}), undefined);
  });
  void it('reads ${*}, ${?} and ${$} as literal characters', () => {
    const resolved = substituteVariables('a${*}b${?}${$}', {});
    assert.ok(resolved !== undefined && wildcardMatch(resolved, 'a*b?$'));
    assert.ok(!wildcardMatch(resolved, 'aXbY$'));
  });
});

void describe('evaluatePolicies', () => {
  const allowAll = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  void it('denies when nothing allows (implicit deny)', () => {
    assert.equal(evaluate([], 's3:GetObject', 'arn:aws:s3:::b/k'), 'deny');
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' })], 's3:GetObject', 'x'), 'deny');
  });
  void it('allows when any statement allows', () => {
    assert.equal(
      evaluate([doc({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: ['arn:aws:s3:::b/*'] })], 's3:GetObject', 'arn:aws:s3:::b/k'),
      'allow',
    );
  });
  void it('lets an explicit Deny win over any Allow, in any order or document', () => {
    const deny = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/secret/*' });
    assert.equal(evaluate([deny, allowAll], 's3:GetObject', 'arn:aws:s3:::b/secret/k'), 'deny');
    assert.equal(evaluate([allowAll, deny], 's3:GetObject', 'arn:aws:s3:::b/secret/k'), 'deny');
    assert.equal(evaluate([allowAll, deny], 's3:GetObject', 'arn:aws:s3:::b/public/k'), 'allow');
  });
  void it('matches actions case-insensitively (service prefix and name) with wildcards', () => {
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: 'S3:get*', Resource: '*' })], 's3:GetObject', 'x'), 'allow');
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: 's3:Get?bject', Resource: '*' })], 'S3:GETOBJECT', 'x'), 'allow');
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' })], 's3:GetObject', 'x'), 'deny');
  });
  void it('matches resources case-sensitively', () => {
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/Public/*' })], 's3:GetObject', 'arn:aws:s3:::b/public/k'), 'deny');
  });
  void it('resolves ${cognito-identity.amazonaws.com:sub} to the caller identity', () => {
    const own = doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*' });
    assert.equal(evaluate([own], 's3:PutObject', 'arn:aws:s3:::b/private/us-east-1:abc-123/photo.jpg'), 'allow');
    assert.equal(evaluate([own], 's3:PutObject', 'arn:aws:s3:::b/private/us-east-1:other/photo.jpg'), 'deny');
    const noIdentity: Principal = { kind: 'role', accessKeyId: 'ASIAX', roleArn: 'arn:aws:iam::1:role/r' };
    assert.equal(evaluate([own], 's3:PutObject', 'arn:aws:s3:::b/private//photo.jpg', noIdentity), 'deny', 'an unresolved variable matches nothing');
  });
  void it('resolves ${aws:userid}', () => {
    const own = doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:userid}/*' });
    assert.equal(evaluate([own], 's3:GetObject', 'arn:aws:s3:::b/us-east-1:abc-123/k'), 'allow');
  });
  void it('evaluates conditions: an Allow grants only when they hold, a Deny applies only when they hold', () => {
    const poolAllow = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool-a' } },
    });
    const fromPool = (poolId: string): Principal => ({ ...role, identityPoolId: poolId });
    assert.equal(evaluate([poolAllow], 's3:GetObject', 'x', fromPool('us-east-1:pool-a')), 'allow');
    assert.equal(evaluate([poolAllow], 's3:GetObject', 'x', fromPool('us-east-1:pool-b')), 'deny');
    assert.equal(evaluate([poolAllow], 's3:GetObject', 'x', role), 'deny', 'a missing key fails a positive operator');
    const guestDeny = doc({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauth*' } },
    });
    assert.equal(evaluate([allowAll, guestDeny], 's3:GetObject', 'x', { ...role, amr: ['authenticated', 'cognito-idp'] }), 'allow');
    assert.equal(evaluate([allowAll, guestDeny], 's3:GetObject', 'x', { ...role, amr: ['unauthenticated'] }), 'deny');
  });
  void it('never lets an Allow with an unknown operator grant, and always applies such a Deny', () => {
    const unknownAllow = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } });
    assert.equal(evaluate([unknownAllow], 's3:GetObject', 'x'), 'deny');
    const unknownDeny = doc({
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:CurrentTime': '2099-01-01T00:00:00Z' } },
    });
    assert.equal(evaluate([allowAll, unknownDeny], 's3:GetObject', 'x'), 'deny');
    assert.equal(evaluate([allowAll, unknownDeny], 's3:PutObject', 'x'), 'allow', 'the Deny still needs its action to match');
  });
});

void describe('evaluateConditions', () => {
  const context = { 'k:one': 'Value', 'k:many': ['a', 'b'], 'k:flag': 'true', 'cognito-identity.amazonaws.com:sub': 'us-east-1:id-1' };
  const holds = (condition: Record<string, unknown>) => evaluateConditions(condition, context, { 'cognito-identity.amazonaws.com:sub': 'us-east-1:id-1' });
  void it('compares strings exactly, without case, by pattern, and negated', () => {
    assert.equal(holds({ StringEquals: { 'k:one': 'Value' } }), true);
    assert.equal(holds({ StringEquals: { 'k:one': 'value' } }), false);
    assert.equal(holds({ StringEqualsIgnoreCase: { 'k:one': 'value' } }), true);
    assert.equal(holds({ StringEquals: { 'k:one': ['x', 'Value'] } }), true, 'values of one key are alternatives');
    assert.equal(holds({ StringLike: { 'k:one': 'Va*' } }), true);
    assert.equal(holds({ StringNotEquals: { 'k:one': 'Value' } }), false);
    assert.equal(holds({ StringNotLike: { 'k:one': 'x*' } }), true);
    assert.equal(holds({ StringEquals: { 'k:one': 'Value' }, StringLike: { 'k:one': 'x*' } }), false, 'every operator must hold');
  });
  void it('compares aws:SourceIp with addresses and CIDR blocks (IpAddress, NotIpAddress); a value that is neither decides nothing', () => {
    const from = (address: string, condition: Record<string, unknown>) => evaluateConditions(condition, { 'aws:SourceIp': address }, {});
    assert.equal(from('10.1.2.3', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), true);
    assert.equal(from('11.1.2.3', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), false);
    assert.equal(from('11.1.2.3', { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '11.1.2.3'] } }), true, 'values are alternatives');
    assert.equal(from('2001:db8::5', { IpAddress: { 'aws:SourceIp': '2001:DB8::/32' } }), true);
    assert.equal(from('::ffff:10.1.2.3', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), true);
    assert.equal(from('10.1.2.3', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), false);
    assert.equal(from('192.0.2.1', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), true);
    assert.equal(evaluateConditions({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, {}), true, 'a missing key satisfies the negation');
    assert.equal(evaluateConditions({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, {}), false);
    assert.equal(from('10.1.2.3', { IpAddress: { 'aws:SourceIp': '10.0.0.0/40' } }), 'unknown');
    assert.equal(from('10.1.2.3', { NotIpAddress: { 'aws:SourceIp': 'corp-network' } }), 'unknown');
  });
  void it('treats a missing key as IAM does: fails positive operators, satisfies negated and IfExists ones, and Null', () => {
    assert.equal(holds({ StringEquals: { 'k:none': 'x' } }), false);
    assert.equal(holds({ StringNotEquals: { 'k:none': 'x' } }), true);
    assert.equal(holds({ StringEqualsIfExists: { 'k:none': 'x' } }), true);
    assert.equal(holds({ StringEqualsIfExists: { 'k:one': 'x' } }), false);
    assert.equal(holds({ Null: { 'k:none': 'true' } }), true);
    assert.equal(holds({ Null: { 'k:one': 'true' } }), false);
    assert.equal(holds({ Null: { 'k:one': 'false' } }), true);
  });
  void it('qualifies multivalued keys with ForAnyValue and ForAllValues', () => {
    assert.equal(holds({ 'ForAnyValue:StringEquals': { 'k:many': 'b' } }), true);
    assert.equal(holds({ 'ForAnyValue:StringEquals': { 'k:many': 'c' } }), false);
    assert.equal(holds({ 'ForAllValues:StringEquals': { 'k:many': ['a', 'b', 'c'] } }), true);
    assert.equal(holds({ 'ForAllValues:StringEquals': { 'k:many': ['a'] } }), false);
    assert.equal(holds({ 'ForAllValues:StringEquals': { 'k:none': ['a'] } }), true, 'nothing to check holds');
    assert.equal(holds({ 'ForAnyValue:StringEquals': { 'k:none': 'a' } }), false);
  });
  void it('evaluates Bool and policy variables, and answers unknown for other operators', () => {
    assert.equal(holds({ Bool: { 'k:flag': 'TRUE' } }), true);
    assert.equal(holds({ StringEquals: { 'cognito-identity.amazonaws.com:sub': '${cognito-identity.amazonaws.com:sub}' } }), true);
    assert.equal(holds({ StringEquals: { 'k:one': '${aws:unknown}' } }), false);
    assert.equal(holds({ NumericLessThan: { 'k:one': '1' } }), 'unknown');
    assert.equal(holds({ 'ForAnyValue:DateEquals': { 'k:one': '1' } }), 'unknown');
  });
});

void describe('evaluateTrust', () => {
  const arn = 'arn:aws:iam::123456789012:role/r';
  const request = (context: Record<string, string | string[]>) => ({
    roleArn: arn,
    federatedPrincipal: 'cognito-identity.amazonaws.com',
    action: 'sts:AssumeRoleWithWebIdentity',
    context,
  });
  const trust = (statement: PolicyDocument['Statement'][number]): PolicyDocument => doc(statement);
  const cognitoTrust = trust({
    Effect: 'Allow',
    Action: 'sts:AssumeRoleWithWebIdentity',
    Resource: '*',
    Principal: { Federated: 'cognito-identity.amazonaws.com' },
    Condition: {
      StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool-a' },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    },
  });
  const ctx = (aud: string, amr: string[]) => ({
    'cognito-identity.amazonaws.com:aud': aud,
    'cognito-identity.amazonaws.com:amr': amr,
    'cognito-identity.amazonaws.com:sub': 'us-east-1:id',
  });
  void it('allows only the named principal, action, pool and kind of login', () => {
    assert.equal(evaluateTrust(cognitoTrust, request(ctx('us-east-1:pool-a', ['authenticated', 'p']))), undefined);
    assert.match(evaluateTrust(cognitoTrust, request(ctx('us-east-1:pool-b', ['authenticated', 'p'])))!, /does not allow/);
    assert.match(evaluateTrust(cognitoTrust, request(ctx('us-east-1:pool-a', ['unauthenticated'])))!, /does not allow/);
    const lambdaTrust = trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Principal: { Service: 'lambda.amazonaws.com' } });
    assert.match(evaluateTrust(lambdaTrust, request(ctx('us-east-1:pool-a', ['authenticated'])))!, /does not allow/);
    assert.match(evaluateTrust(undefined, request(ctx('us-east-1:pool-a', ['authenticated'])))!, /no trust policy/);
    const withoutPrincipal = trust({ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Resource: '*' });
    assert.match(evaluateTrust(withoutPrincipal, request(ctx('us-east-1:pool-a', ['authenticated'])))!, /names no principal .*forte push --force/);
  });
  void it('lets an AWS service assume a role only when the trust policy names it as a Service', () => {
    const lambdaTrust = trust({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: '*', Principal: { Service: ['lambda.amazonaws.com'] } });
    assert.equal(evaluateTrust(lambdaTrust, { roleArn: arn, servicePrincipal: 'lambda.amazonaws.com' }), undefined);
    assert.match(
      evaluateTrust(lambdaTrust, { roleArn: arn, servicePrincipal: 'events.amazonaws.com' })!,
      /does not allow the service events\.amazonaws\.com to sts:AssumeRole .*\{"Service": "events\.amazonaws\.com"\}/,
    );
    assert.match(evaluateTrust(lambdaTrust, { roleArn: arn, servicePrincipal: 'lambda.amazonaws.com', action: 'sts:TagSession' })!, /does not allow/);
    // A Federated principal of the same name is another principal; a cognito trust policy lets no service in.
    assert.match(
      evaluateTrust(cognitoTrust, { roleArn: arn, servicePrincipal: 'cognito-identity.amazonaws.com', action: 'sts:AssumeRoleWithWebIdentity' })!,
      /does not allow/,
    );
    const scoped = trust({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: '*',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    assert.equal(
      evaluateTrust(scoped, { roleArn: arn, servicePrincipal: 'events.amazonaws.com', context: { 'aws:SourceAccount': '123456789012' } }),
      undefined,
    );
    assert.match(evaluateTrust(scoped, { roleArn: arn, servicePrincipal: 'events.amazonaws.com', context: { 'aws:SourceAccount': '999' } })!, /does not allow/);
    const denied = doc(
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Principal: '*' },
      { Effect: 'Deny', Action: 'sts:*', Resource: '*', Principal: { Service: 'lambda.amazonaws.com' } },
    );
    assert.match(evaluateTrust(denied, { roleArn: arn, servicePrincipal: 'lambda.amazonaws.com' })!, /denies lambda\.amazonaws\.com/);
  });
  void it('answers that a role no source knows does not exist', async () => {
    const check = createTrustChecker([async (roleArn) => (roleArn === arn ? { document: cognitoTrust } : undefined)]);
    assert.equal(await check(request(ctx('us-east-1:pool-a', ['authenticated']))), undefined);
    assert.match((await check({ ...request(ctx('us-east-1:pool-a', ['authenticated'])), roleArn: 'arn:aws:iam::123456789012:role/other' }))!, /does not exist/);
  });
});

void describe('createAuthorizer', () => {
  const sources = [async (p: Principal) => (p.kind === 'role' ? [doc({ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' })] : [])];
  const authorize = createAuthorizer(sources);
  void it('allows admin everything without asking sources', async () => {
    await authorize({ kind: 'admin', accessKeyId: 'FKIA' }, 'anything:AtAll', '*');
  });
  void it('denies anonymous callers', async () => {
    await assert.rejects(
      authorize({ kind: 'anonymous' }, 's3:GetObject', 'arn:aws:s3:::b/k'),
      (e: unknown) => isForteError(e) && e.code === 'AccessDenied' && e.status === 403,
    );
  });
  void it('applies the policies of role principals and uses the deny code asked for', async () => {
    await authorize(role, 's3:GetObject', 'arn:aws:s3:::b/k');
    await assert.rejects(authorize(role, 's3:PutObject', 'arn:aws:s3:::b/k', 'AccessDeniedException'), (e: unknown) => {
      assert.ok(isForteError(e));
      assert.equal(e.code, 'AccessDeniedException');
      assert.match(e.message, /s3:PutObject on arn:aws:s3:::b\/k/);
      return true;
    });
  });
});

void describe("createAuthorizer with a request's condition keys (Amplify's storage read policy)", () => {
  const sub = '${cognito-identity.amazonaws.com:sub}';
  // Amplify's S3AuthReadPolicy, as its storage stack writes it.
  const readPolicy = doc(
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/protected/*' },
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::b',
      Condition: { StringLike: { 's3:prefix': ['public/', 'public/*', 'protected/', 'protected/*', `private/${sub}/`, `private/${sub}/*`] } },
    },
  );
  const authorize = createAuthorizer([async () => [readPolicy]]);
  const list = (prefix: string, principal: Principal = role) =>
    authorize(principal, 's3:ListBucket', 'arn:aws:s3:::b', 'AccessDenied', { 's3:prefix': prefix });
  const refused = (e: unknown) => isForteError(e) && e.code === 'AccessDenied';

  void it('allows listing the public and protected prefixes and the caller’s own private prefix', async () => {
    for (const prefix of [
      'public/',
      'public/photos/',
      'protected/',
      'protected/us-east-1:other/',
      `private/${role.kind === 'role' ? role.identityId : ''}/`,
      'private/us-east-1:abc-123/a/',
    ])
      await list(prefix);
  });
  void it("refuses another identity's private prefix, the bucket's root (the empty prefix) and a list without the key", async () => {
    await assert.rejects(list('private/us-east-1:other/'), refused);
    await assert.rejects(list('private/'), refused);
    await assert.rejects(list(''), refused);
    await assert.rejects(list('uploads/'), refused);
    await assert.rejects(authorize(role, 's3:ListBucket', 'arn:aws:s3:::b'), refused, 'no s3:prefix: StringLike fails');
  });
  void it('a wildcard in the identity id is no wildcard, and the request cannot replace the caller’s own keys', async () => {
    const starry: Principal = { kind: 'role', accessKeyId: 'ASIATEST', roleArn: 'arn:aws:iam::123456789012:role/auth', identityId: 'us-east-1:*' };
    await assert.rejects(list('private/us-east-1:victim/', starry), refused);
    await assert.rejects(
      authorize(role, 's3:ListBucket', 'arn:aws:s3:::b', 'AccessDenied', { 's3:prefix': 'private/x/', 'cognito-identity.amazonaws.com:sub': 'x' }),
      refused,
    );
  });
});
