import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonApiDescription } from '../../kernel/types.js';
import { functionEnvironment } from './function-environment.js';

const api = (path: string, signingService: string, sdkEndpointName?: string): JsonApiDescription => ({
  path,
  targetPrefix: `${signingService}.`,
  signingService,
  jsonVersion: '1.0',
  operations: ['Op'],
  ...(sdkEndpointName ? { sdkEndpointName } : {}),
});

const envOf = (apis: JsonApiDescription[]): Record<string, string> =>
  functionEnvironment({
    variables: {},
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token', expiresAt: 0 },
    region: 'us-east-1',
    baseUrl: 'http://127.0.0.1:4000',
    apis,
  });

void describe("a function's endpoint variables", () => {
  void it("name each API by its own SDK endpoint name, whatever the routes' order, when two sign as one service", () => {
    const dynamodb = api('/dynamodb/', 'dynamodb', 'DYNAMODB');
    const streams = api('/dynamodb-streams/', 'dynamodb', 'DYNAMODB_STREAMS');
    for (const apis of [
      [dynamodb, streams],
      [streams, dynamodb],
    ]) {
      const env = envOf(apis);
      assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB, 'http://127.0.0.1:4000/dynamodb/');
      assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS, 'http://127.0.0.1:4000/dynamodb-streams/');
    }
  });

  void it('give an API that names itself precedence over one named after its signing service', () => {
    const unnamed = api('/other/', 'dynamodb');
    const named = api('/dynamodb/', 'dynamodb', 'DYNAMODB');
    for (const apis of [
      [unnamed, named],
      [named, unnamed],
    ]) {
      assert.equal(envOf(apis).AWS_ENDPOINT_URL_DYNAMODB, 'http://127.0.0.1:4000/dynamodb/');
    }
  });

  void it("derive the name from the signing service otherwise, and give Forte's own APIs and those at / none", () => {
    const env = envOf([api('/cognito-idp/', 'cognito-idp'), api('/ssm/', 'ssm'), api('/', 'sts'), api('/forte/', 'forte')]);
    assert.equal(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, 'http://127.0.0.1:4000/cognito-idp/');
    assert.equal(env.AWS_ENDPOINT_URL_SSM, 'http://127.0.0.1:4000/ssm/');
    assert.equal(env.AWS_ENDPOINT_URL_STS, undefined);
    assert.equal(env.AWS_ENDPOINT_URL_FORTE, undefined);
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4000');
  });
});
