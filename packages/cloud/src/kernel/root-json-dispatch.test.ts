import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { createRootJsonDispatch } from './root-json-dispatch.js';
import type { Route } from './types.js';

const route = (name: string, targetPrefix?: string): Route => ({
  name,
  errorFormat: 'json',
  match: { path: () => false },
  handle: () => Promise.resolve(),
  ...(targetPrefix === undefined
    ? {}
    : { jsonApi: { path: `/${name}/`, targetPrefix, signingService: name, jsonVersion: '1.1' as const, operations: ['Op'] } }),
});
const request = (method: string, target?: string): IncomingMessage =>
  ({ method, headers: target === undefined ? {} : { 'x-amz-target': target } }) as unknown as IncomingMessage;

void describe('root JSON dispatch', () => {
  const routes = [
    route('plain'),
    route('ssm', 'AmazonSSM.'),
    route('idp', 'AWSCognitoIdentityProviderService.'),
    route('identity', 'AWSCognitoIdentityService.'),
    route('late', 'AmazonSSM.'),
  ];
  const dispatch = createRootJsonDispatch(routes);

  void it('finds the route by the target prefix, the first of a prefix winning', () => {
    assert.equal(dispatch(request('POST', 'AmazonSSM.GetParameter'), '/')?.name, 'ssm');
    assert.equal(dispatch(request('POST', 'AWSCognitoIdentityService.GetId'), '/')?.name, 'identity');
    assert.equal(dispatch(request('POST', 'AWSCognitoIdentityProviderService.InitiateAuth'), '/')?.name, 'idp');
  });

  void it('answers the unknown-target route for a target no API has, and nothing for other requests', () => {
    for (const target of ['Logs_20140328.PutLogEvents', 'NoDot', '.Op', 'AmazonSSM'])
      assert.equal(dispatch(request('POST', target), '/')?.name, 'root', target);
    assert.equal(dispatch(request('POST'), '/'), undefined, 'no target');
    assert.equal(dispatch(request('GET', 'AmazonSSM.GetParameter'), '/'), undefined, 'not a POST');
    assert.equal(dispatch(request('POST', 'AmazonSSM.GetParameter'), '/x'), undefined, 'not the root');
  });

  void it('sees routes registered after it was made (they are read at the first call)', () => {
    const later: Route[] = [];
    const lazy = createRootJsonDispatch(later);
    later.push(route('logs', 'Logs_20140328.'));
    assert.equal(lazy(request('POST', 'Logs_20140328.PutLogEvents'), '/')?.name, 'logs');
  });
});
