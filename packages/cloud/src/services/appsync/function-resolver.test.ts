import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callsOf, functionNameOf } from './function-resolver.js';
import { resolverIdentity } from './resolver-identity.js';

void describe('@function names', () => {
  void it('replaces ${env} with the environment, and drops -${env} under the environment NONE, as Amplify builds the ARN', () => {
    assert.equal(functionNameOf({ name: 'quotegenerator-${env}' }, 'dev'), 'quotegenerator-dev');
    assert.equal(functionNameOf({ name: 'quotegenerator-${env}' }, 'NONE'), 'quotegenerator');
    assert.equal(functionNameOf({ name: 'plain' }, 'dev'), 'plain');
  });

  void it('reads plans of older CLIs, which list names only, as RequestResponse calls', () => {
    assert.deepEqual(callsOf({ typeName: 'Query', fieldName: 'q', kind: 'function', functions: ['a', 'b'] }), [
      { name: 'a', invocationType: 'RequestResponse' },
      { name: 'b', invocationType: 'RequestResponse' },
    ]);
  });
});

void describe('resolverIdentity', () => {
  const request = { headers: {}, sourceIp: '10.0.0.7' };
  void it('OIDC: {sub, issuer, claims, sourceIp}', () => {
    const claims = { sub: 's-1', iss: 'https://issuer.test/pool', email: 'a@b.c' };
    assert.deepEqual(resolverIdentity({ mode: 'oidc', sub: 's-1', groups: [], claims }, request, '123456789012'), {
      sub: 's-1',
      issuer: 'https://issuer.test/pool',
      claims,
      sourceIp: ['10.0.0.7'],
    });
  });

  void it('user pools without groups: groups null; API key: null', () => {
    const identity = resolverIdentity({ mode: 'userPools', sub: 's', username: 'u', groups: [], claims: { iss: 'i' } }, request, '123456789012');
    assert.equal(identity?.groups, null);
    assert.equal(resolverIdentity({ mode: 'apiKey', groups: [], claims: {} }, request, '123456789012'), null);
  });

  void it('IAM admin keys: the account root, no identity pool', () => {
    const identity = resolverIdentity(
      { mode: 'iam', groups: [], claims: {}, principal: { kind: 'admin', accessKeyId: 'AKIAADMIN' }, iamRole: 'admin' },
      undefined,
      '123456789012',
    );
    assert.deepEqual(identity, {
      accountId: '123456789012',
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
      sourceIp: [],
      username: 'AKIAADMIN',
      userArn: 'arn:aws:iam::123456789012:root',
    });
  });
});
