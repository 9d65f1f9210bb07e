import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResourcesConfig } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, graphqlRefusal, signUpAndIn as signUpAndInWith } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

interface ApiOutput {
  GraphQLAPIIdOutput: string;
  GraphQLAPIEndpointOutput: string;
  GraphQLAPIKeyOutput: string;
  authConfig: { defaultAuthentication: { authenticationType: string }; additionalAuthenticationProviders: { authenticationType: string }[] };
}

const SCHEMA = `type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) {
  id: ID!
  content: String!
}
`;
const BROKEN_SCHEMA = SCHEMA.replace('content: String!', 'content: String!\n  author: Author @belongsTo');

/** Amplify's AddApiRequest v1: user pools by default, an API key for public reads. */
const ADD_API_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'AppSync',
    apiName: 'notes',
    transformSchema: SCHEMA,
    defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
    additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 30, keyDescription: 'public reads' }],
  },
};

const LIST = 'query ListNotes { listNotes { items { id content owner } } }';
const CREATE = 'mutation CreateNote($input: CreateNoteInput!) { createNote(input: $input) { id content owner } }';
const UPDATE = 'mutation UpdateNote($input: UpdateNoteInput!) { updateNote(input: $input) { id content owner } }';

type NoteRow = { id: string; content: string; owner: string | null };
type NotesPage = { data: { listNotes: { items: NoteRow[] } } };

/** The slice of aws-amplify's client these tests use (its typed overloads need generated types). */
interface Client {
  graphql(options: { query: string; variables?: Record<string, unknown>; authMode?: 'apiKey' | 'userPool' }): Promise<unknown>;
  models: Record<string, { list(options: { authMode: 'apiKey' }): Promise<{ data: NoteRow[] }> }>;
}
const client = (): Client => generateClient() as unknown as Client;

const refusal = graphqlRefusal;

void describe('forte api: add api → push → aws-amplify → broken schema → remove (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let cloudUrl = '';
  let first: ApiOutput;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));
  const apiDir = (...path: string[]): string => join(root, 'amplify', 'backend', 'api', 'notes', ...path);
  const metaText = (): string => readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8');
  const awsExports = (): Record<string, unknown> => {
    const text = readFileSync(join(root, 'src', 'aws-exports.js'), 'utf8');
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;
  };
  const configureAmplify = (): ResourcesConfig => configureAmplifyFrom(root);
  const signUpAndIn = (email: string): Promise<void> => signUpAndInWith(email, { cwd: root, home });

  before(async () => {
    ({ work, home, root } = await initProject('forte-api-', 'apiapp'));
    const auth = await forte(['add', 'auth', '--yes']);
    assert.equal(auth.code, 0, auth.stderr);
  });
  after(() => removeProject({ work, home }));

  void it('the CLI finds the api category: add --headless, gql-compile, and status shows the API to create', async () => {
    const plugins = await forte(['plugin', 'list']);
    assert.match(plugins.stdout, /│ api\s+│ category │ @forte\/category-api\s+│/);
    const add = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    assert.match(add.stdout, /Successfully added resource notes locally/);
    const again = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has a GraphQL API: notes/);
    const compile = await forte(['api', 'gql-compile']);
    assert.equal(compile.code, 0, compile.stderr);
    assert.match(readFileSync(apiDir('build', 'schema.graphql'), 'utf8'), /type Note @aws_api_key @aws_cognito_user_pools \{/);
    assert.ok(existsSync(apiDir('build', 'model-introspection.json')));
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Api\s+│ notes\s+│ Create\s+│ awscloudformation │/);
  });

  void it('push deploys the API after the user pool it reads, and writes amplify-meta and both frontend configs', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::DynamoDB::Table\b/);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::AppSync::GraphQLSchema\b/);
    const poolDone = push.stdout.search(/CREATE_COMPLETE\s+Forte::Cognito::UserPool\b/);
    const apiStarted = push.stdout.search(/CREATE_IN_PROGRESS\s+Forte::AppSync::GraphQLApi\b/);
    assert.ok(poolDone >= 0 && apiStarted > poolDone, 'the API (user pool authorization) is created after the user pool');
    cloudUrl = (JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url;

    const meta = readJson('amplify', 'backend', 'amplify-meta.json');
    first = meta.api.notes.output as ApiOutput;
    assert.match(first.GraphQLAPIIdOutput, /^\w+$/);
    assert.equal(first.GraphQLAPIEndpointOutput, `${cloudUrl}/graphql/${first.GraphQLAPIIdOutput}`);
    assert.match(first.GraphQLAPIKeyOutput, /^da2-\w+$/);
    assert.ok(push.stdout.includes(`GraphQL endpoint: ${first.GraphQLAPIEndpointOutput}\nGraphQL API KEY: ${first.GraphQLAPIKeyOutput}\n`), push.stdout);
    assert.equal(
      first.authConfig.defaultAuthentication.authenticationType,
      'AMAZON_COGNITO_USER_POOLS',
      "backend-config's authConfig stays beside the outputs",
    );
    assert.equal(meta.api.notes.providerMetadata.logicalId, 'apinotes');
    assert.ok(meta.api.notes.lastPushTimeStamp);

    const exported = awsExports();
    assert.equal(exported.aws_appsync_graphqlEndpoint, first.GraphQLAPIEndpointOutput);
    assert.equal(exported.aws_appsync_region, 'us-east-1');
    assert.equal(exported.aws_appsync_authenticationType, 'AMAZON_COGNITO_USER_POOLS');
    assert.equal(exported.aws_appsync_apiKey, first.GraphQLAPIKeyOutput);
    const outputs = readJson('amplify_outputs.json');
    assert.deepEqual(
      { ...outputs.data, model_introspection: undefined },
      {
        url: first.GraphQLAPIEndpointOutput,
        aws_region: 'us-east-1',
        api_key: first.GraphQLAPIKeyOutput,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
        authorization_types: ['API_KEY'],
        model_introspection: undefined,
      },
    );
    assert.deepEqual(outputs.data.model_introspection, JSON.parse(readFileSync(apiDir('build', 'model-introspection.json'), 'utf8')));
    assert.equal(outputs.data.model_introspection.models.Note.name, 'Note');

    const status = await forte(['status']);
    assert.match(status.stdout, /│ Api\s+│ notes\s+│ No Change\s+│ awscloudformation │/);
    assert.ok(status.stdout.includes(`GraphQL endpoint: ${first.GraphQLAPIEndpointOutput}`), status.stdout);
    assert.ok(status.stdout.includes(`GraphQL API KEY: ${first.GraphQLAPIKeyOutput}`), status.stdout);
    assert.match(status.stdout, /GraphQL transformer version: 2/);
  });

  void it('aws-amplify configured from amplify_outputs.json: the key reads but cannot write; owners write their own notes only', async () => {
    const config = configureAmplify();
    assert.equal(config.API?.GraphQL?.defaultAuthMode, 'userPool');
    assert.ok(config.API?.GraphQL?.modelIntrospection, 'the model client has its introspection');
    const notes = client();

    const empty = (await notes.graphql({ query: LIST, authMode: 'apiKey' })) as NotesPage;
    assert.deepEqual(empty.data.listNotes.items, []);
    const keyWrite = await refusal(notes.graphql({ query: CREATE, variables: { input: { content: 'by key' } }, authMode: 'apiKey' }));
    assert.match(`${keyWrite.errorType} ${keyWrite.message}`, /Unauthorized|Not Authorized/);
    const anonymous = await fetch(first.GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LIST }),
    });
    assert.equal(anonymous.status, 401, 'no key and no token: refused');

    await signUpAndIn('alice@example.com');
    const created = (await notes.graphql({ query: CREATE, variables: { input: { content: 'hello' } } })) as { data: { createNote: NoteRow } };
    assert.equal(created.data.createNote.content, 'hello');
    assert.ok(created.data.createNote.owner, 'the owner field is set');
    const listed = await notes.models.Note!.list({ authMode: 'apiKey' });
    assert.deepEqual(
      listed.data.map((n) => n.content),
      ['hello'],
      'the model client (model_introspection) reads with the key',
    );
    await signOut();

    await signUpAndIn('bob@example.com');
    const notOwner = await refusal(notes.graphql({ query: UPDATE, variables: { input: { id: created.data.createNote.id, content: 'taken over' } } }));
    assert.match(`${notOwner.errorType} ${notOwner.message}`, /Unauthorized|Not Authorized|ConditionalCheckFailed/);
    await signOut();
    const afterAttempt = (await notes.graphql({ query: LIST, authMode: 'apiKey' })) as NotesPage;
    assert.deepEqual(
      afterAttempt.data.listNotes.items.map((n) => n.content),
      ['hello'],
    );
  });

  void it('a teammate who pulls the environment gets the API in both frontend configs, with its model introspection', async () => {
    const other = join(work, 'teammate');
    mkdirSync(other);
    const appId = (readJson('amplify', 'team-provider-info.json') as Record<string, { awscloudformation: { AmplifyAppId: string } }>)['dev']!.awscloudformation
      .AmplifyAppId;
    const pull = await runForte(['pull', '--appId', appId, '--envName', 'dev', '--yes'], { cwd: other, home });
    assert.equal(pull.code, 0, pull.stderr);
    const outputs = JSON.parse(readFileSync(join(other, 'amplify_outputs.json'), 'utf8'));
    assert.equal(outputs.data.url, first.GraphQLAPIEndpointOutput);
    assert.deepEqual(outputs.data.model_introspection, readJson('amplify_outputs.json').data.model_introspection);
    assert.equal(outputs.data.model_introspection.models.Note.name, 'Note');
  });

  void it('a push with an invalid schema fails before deploying, naming the file, line, type and field', async () => {
    writeFileSync(apiDir('schema.graphql'), BROKEN_SCHEMA);
    const metaBefore = metaText();
    let push: ForteRun;
    try {
      push = await forte(['push', '--yes']);
    } finally {
      writeFileSync(apiDir('schema.graphql'), SCHEMA);
    }
    assert.equal(push.code, 1, push.stdout);
    assert.ok(push.stderr.includes('amplify/backend/api/notes/schema.graphql:4:11 Note.author: unknown type "Author"'), push.stderr);
    assert.doesNotMatch(push.stdout, /_COMPLETE|_IN_PROGRESS/, 'no stack event: nothing was deployed');
    assert.equal(metaText(), metaBefore);
    assert.equal(existsSync(join(root, 'amplify', '.config', 'local-push-state.json')), false);
    const served = await fetch(first.GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': first.GraphQLAPIKeyOutput },
      body: JSON.stringify({ query: LIST }),
    });
    assert.equal(served.status, 200);
    assert.deepEqual(
      ((await served.json()) as NotesPage).data.listNotes.items.map((n) => n.content),
      ['hello'],
      'the deployed API is as it was',
    );
  });

  void it('update api --headless adds IAM; `api push` keeps the API, its key and its data', async () => {
    const update = await forte(
      ['update', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: {
          serviceName: 'AppSync',
          additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 30, keyDescription: 'public reads' }, { mode: 'AWS_IAM' }],
        },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    const push = await forte(['api', 'push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /UPDATE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    assert.match(push.stdout, /│ Api\s+│ notes\s+│ Update\s+│/);
    assert.doesNotMatch(push.stdout, /│ Auth\s+│/, '`api push` is `push api`: the auth resource is not part of it');
    const output = readJson('amplify', 'backend', 'amplify-meta.json').api.notes.output as ApiOutput;
    assert.equal(output.GraphQLAPIIdOutput, first.GraphQLAPIIdOutput, 'the API is updated in place');
    assert.equal(output.GraphQLAPIKeyOutput, first.GraphQLAPIKeyOutput);
    assert.deepEqual(readJson('amplify_outputs.json').data.authorization_types, ['API_KEY', 'AWS_IAM']);
    configureAmplify();
    const listed = (await client().graphql({ query: LIST, authMode: 'apiKey' })) as NotesPage;
    assert.deepEqual(
      listed.data.listNotes.items.map((n) => n.content),
      ['hello'],
    );
  });

  void it("add api and remove api in a terminal: Amplify's questions, the API key default and the Todo schema", async () => {
    const tty = join(work, 'tty');
    mkdirSync(tty);
    const init = await runForte(['init', '--amplify', '{"projectName":"ttyapi","envName":"dev"}', '--yes'], { cwd: tty, home });
    assert.equal(init.code, 0, init.stderr);
    const add = await runForteInTerminal(['add', 'api'], { cwd: tty, home }, [
      [/Select from one of the below mentioned services/, '\r'],
      [/Here is the GraphQL API that we will create/, '\r'],
      [/Choose a schema template/, '\r'],
      [/Do you want to edit the schema now\? \(Y\/n\)/, 'n\r'],
    ]);
    assert.equal(add.code, 0, add.screen);
    const dir = join(tty, 'amplify', 'backend', 'api', 'ttyapi');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'cli-inputs.json'), 'utf8')).serviceConfiguration.defaultAuthType, {
      mode: 'API_KEY',
      expirationTime: 7,
    });
    assert.match(readFileSync(join(dir, 'schema.graphql'), 'utf8'), /type Todo @model \{/);
    const keep = await runForteInTerminal(['remove', 'api'], { cwd: tty, home }, [[/Are you sure you want to delete the resource ttyapi/, '\r']]);
    assert.equal(keep.code, 0, keep.screen);
    assert.ok(existsSync(dir), 'the default answer is no');
    const remove = await runForteInTerminal(['api', 'remove'], { cwd: tty, home }, [[/Are you sure you want to delete the resource ttyapi/, 'y\r']]);
    assert.equal(remove.code, 0, remove.screen);
    assert.equal(existsSync(dir), false);
  });

  void it('remove api + push deletes the API from the cloud and from both frontend configs', async () => {
    const remove = await forte(['remove', 'api', '--yes']);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(existsSync(apiDir()), false);
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Api\s+│ notes\s+│ Delete\s+│ awscloudformation │/);
    const push = await forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /DELETE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    assert.equal(readJson('amplify', 'backend', 'amplify-meta.json').api, undefined);
    assert.equal(awsExports().aws_appsync_graphqlEndpoint, undefined);
    assert.ok(awsExports().aws_user_pools_id, 'auth stays');
    assert.equal(readJson('amplify_outputs.json').data, undefined);
    const gone = await fetch(first.GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': first.GraphQLAPIKeyOutput },
      body: JSON.stringify({ query: LIST }),
    });
    assert.equal(gone.status, 404);
  });
});
