import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuthorizer, evaluatePolicies, policyVariables, substituteVariables, wildcardMatch } from './iam-lite.js';
import { ServiceError, type PolicyDocument, type Principal } from './types.js';

const role: Principal = { kind: 'role', accessKeyId: 'ASIATEST', roleArn: 'arn:aws:iam::123456789012:role/auth', identityId: 'us-east-1:abc-123' };
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });
const evaluate = (documents: PolicyDocument[], action: string, resource: string, principal: Principal = role) =>
  evaluatePolicies(documents, { action, resource, variables: policyVariables(principal) });

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
    assert.equal(evaluate([doc({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: ['arn:aws:s3:::b/*'] })], 's3:GetObject', 'arn:aws:s3:::b/k'), 'allow');
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
  void it('never lets a conditional Allow grant, and always applies a conditional Deny', () => {
    const conditionalAllow = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:x': 'y' } } });
    assert.equal(evaluate([conditionalAllow], 's3:GetObject', 'x'), 'deny');
    const conditionalDeny = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    assert.equal(evaluate([allowAll, conditionalDeny], 's3:GetObject', 'x'), 'deny');
  });
});

void describe('createAuthorizer', () => {
  const sources = [async (p: Principal) => (p.kind === 'role' ? [doc({ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' })] : [])];
  const authorize = createAuthorizer(sources);
  void it('allows admin everything without asking sources', async () => {
    await authorize({ kind: 'admin', accessKeyId: 'FKIA' }, 'anything:AtAll', '*');
  });
  void it('denies anonymous callers', async () => {
    await assert.rejects(authorize({ kind: 'anonymous' }, 's3:GetObject', 'arn:aws:s3:::b/k'), (e: unknown) => e instanceof ServiceError && e.code === 'AccessDenied' && e.status === 403);
  });
  void it('applies the policies of role principals and uses the deny code asked for', async () => {
    await authorize(role, 's3:GetObject', 'arn:aws:s3:::b/k');
    await assert.rejects(authorize(role, 's3:PutObject', 'arn:aws:s3:::b/k', 'AccessDeniedException'), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, 'AccessDeniedException');
      assert.match(e.message, /s3:PutObject on arn:aws:s3:::b\/k/);
      return true;
    });
  });
});
