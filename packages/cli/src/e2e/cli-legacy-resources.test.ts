import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateClient } from 'aws-amplify/api';
import { signUp } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      passwordPolicy: { minimumLength: 10 },
    },
  },
};

const ADD_API_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'AppSync',
    apiName: 'notes',
    transformSchema: 'type Note @model @auth(rules: [{allow: owner}]) {\n  id: ID!\n  text: String!\n}\n',
    defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
  },
};

interface Client {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<{ data: Record<string, any> }>;
}

void describe('a project made before Amplify CLI 7 (auth in parameters.json, a GraphQL API without cli-inputs.json) pushes and serves aws-amplify (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const backend = (...path: string[]): string => join(root, 'amplify', 'backend', ...path);

  before(async () => {
    ({ work, home, root } = await initProject('forte-legacy-', 'legacyapp'));
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr + auth.stdout);
    const api = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(api.code, 0, api.stderr + api.stdout);

    // The files as Amplify before CLI 7 kept them: the auth settings flat in parameters.json (triggers as a JSON
    // string, beside keys of the old template that cli-inputs.json never had), and no cli-inputs.json for either.
    const authName = Object.keys(JSON.parse(readFileSync(backend('backend-config.json'), 'utf8')).auth as object)[0]!;
    const authInputs = backend('auth', authName, 'cli-inputs.json');
    const { cognitoConfig } = JSON.parse(readFileSync(authInputs, 'utf8')) as { cognitoConfig: Record<string, unknown> };
    const { triggers, ...rest } = cognitoConfig;
    writeFileSync(
      backend('auth', authName, 'parameters.json'),
      JSON.stringify(
        {
          ...rest,
          triggers: JSON.stringify(triggers ?? {}),
          breakCircularDependency: true,
          permissions: [],
          authTriggerConnections: '[]',
          hostedUIProviderCreds: '[]',
        },
        null,
        2,
      ),
    );
    rmSync(authInputs);
    rmSync(backend('api', 'notes', 'cli-inputs.json'));
  });
  after(() => removeProject({ work, home }));

  void it('status and push read the older files, and write none of them', async () => {
    const status = await forte(['status']);
    assert.equal(status.code, 0, status.stderr);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(existsSync(backend('api', 'notes', 'cli-inputs.json')), false);
  });

  void it('the user pool keeps the password policy of parameters.json, and the API its user pool mode: a signed-in owner writes and reads', async () => {
    configureAmplifyFrom(root);
    await assert.rejects(
      signUp({ username: 'short@example.com', password: 'Pass-1234', options: { userAttributes: { email: 'short@example.com' } } }),
      (error: Error) => error.name === 'InvalidPasswordException',
    );
    await signUpAndIn('owner@example.com', { cwd: root, home });
    const client = generateClient() as unknown as Client;
    await client.graphql({ query: 'mutation { createNote(input: {text: "kept"}) { id } }' });
    const list = await client.graphql({ query: 'query { listNotes { items { text owner } } }' });
    assert.deepEqual(
      (list.data.listNotes.items as { text: string }[]).map((n) => n.text),
      ['kept'],
    );
  });
});
