import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

const UP = '\x1b[A';
const DOWN = '\x1b[B';

void describe('add api with Lambda authorization that creates its authorizer function', () => {
  let work: string;
  let home: string;
  let root: string;
  const json = (path: string): any => JSON.parse(readFileSync(join(root, path), 'utf8'));
  before(async () => {
    ({ work, home, root } = await initProject('forte-api-lambda-auth-', 'lambdaauth'));
  });
  after(() => removeProject({ work, home }));

  void it('`add api` → Lambda → "Create a new Lambda function" writes Amplify\'s authorizer function, and the pushed API asks it', async () => {
    const { code, screen } = await runForteInTerminal(['add', 'api'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/Select a setting to edit or\s+continue/, `${UP}${UP}\r`],
      [/Choose the default authorization type for the API/, `${DOWN}${DOWN}${DOWN}${DOWN}\r`],
      [/Choose a Lambda authorization function/, '\r'],
      [/Do you want to edit the local lambda function now\?/, 'n\r'],
      [/How long should the authorization response be cached in seconds\?/, '0\r'],
      [/Configure additional auth types\?/, '\r'],
      [/Select a setting to edit or\s+continue/, '\r'],
      [/Choose a schema template/, '\r'],
      [/Do you want to edit the schema now\?/, 'n\r'],
    ]);
    assert.equal(code, 0, screen);
    const functions = Object.keys(json('amplify/backend/backend-config.json').function ?? {});
    assert.equal(functions.length, 1, screen);
    const name = functions[0]!;
    assert.match(name, /^graphQlLambdaAuthorizer[0-9a-f]{8}$/);
    assert.match(screen, new RegExp(`Successfully added ${name} function locally`));
    const template = json(`amplify/backend/function/${name}/${name}-cloudformation-template.json`);
    assert.deepEqual(template.Resources.PermissionForAppSyncToInvokeLambda, {
      Type: 'AWS::Lambda::Permission',
      Properties: { FunctionName: { Ref: 'LambdaFunction' }, Action: 'lambda:InvokeFunction', Principal: 'appsync.amazonaws.com' },
    });
    const inputs = json('amplify/backend/api/lambdaauth/cli-inputs.json').serviceConfiguration;
    assert.deepEqual(inputs.defaultAuthType, { mode: 'AWS_LAMBDA', lambdaFunction: name, ttlSeconds: '0' });

    // The sandbox rule of the schema template is API-key access, which this API has not: as on AppSync, models are
    // reached through the authorizer by a `custom` rule.
    writeFileSync(
      join(root, 'amplify/backend/api/lambdaauth/schema.graphql'),
      'type Todo @model @auth(rules: [{ allow: custom }]) { id: ID! name: String! }\n',
    );
    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const outputs = json('amplify/backend/amplify-meta.json').api.lambdaauth.output;
    const call = async (token: string) => {
      const res = await fetch(outputs.GraphQLAPIEndpointOutput, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ query: '{ listTodos { items { id } } }' }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    // The template's authorizer allows the token 'custom-authorized' and nothing else.
    const allowed = await call('custom-authorized');
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.deepEqual(allowed.body, { data: { listTodos: { items: [] } } });
    const refused = await call('another-token');
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
  });
});
