#!/usr/bin/env node
// The demo: a fresh project from examples/sample-app (a realtime to-do list and offline DataStore notes per
// signed-in user, behind the Amplify UI Authenticator), `forte init`, `forte add auth`, `forte add api` (the schemas
// and the request in examples/sample-app/backend/), `forte add hosting`, `forte publish` (push, build, upload),
// then a check that the published app, its sign-up endpoint and its GraphQL API answer. It uses your FORTE_HOME (default ~/.forte): the
// local cloud it starts keeps running, so the printed URL keeps working. Stop it with
// `node packages/cli/dist/bin.js cloud stop`. Run again, it publishes the same project again (its folder is
// kept in $FORTE_HOME/demo.json), so the app, its users and its to-dos stay at the same URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_FRONTEND, exampleProject, forte, getFromSite } from './example-project.mjs';

const { project, previous, run, remember } = exampleProject({ example: 'sample-app', record: 'demo', stopped: 'The demo stopped' });

console.log(`Demo project: ${project}${previous ? " (the previous demo's, published again)" : ''}`);
const amplify = JSON.stringify({ projectName: 'fortedemo', envName: 'dev', defaultEditor: 'code' });
const providers = JSON.stringify({ awscloudformation: { configLevel: 'project', useProfile: true, profileName: 'default' } });
/** A new demo project: init, auth, the to-do API and hosting (a rerun publishes the previous one instead). */
function createProject() {
  run(['init', '--amplify', amplify, '--frontend', EXAMPLE_FRONTEND, '--providers', providers, '--yes'], 'init --amplify … --frontend … --providers … --yes');
  remember();
  run(['add', 'auth', '--yes']);
  // Amplify's AddApiRequest (backend/add-api.json: signed-in users as the default authorization, conflict
  // detection for the offline notes) with the schema: the to-dos and the notes, each with an owner rule.
  const addApi = JSON.parse(readFileSync(join(project, 'backend/add-api.json'), 'utf8'));
  addApi.serviceConfiguration.transformSchema = ['schema.graphql', 'notes.graphql'].map((f) => readFileSync(join(project, 'backend', f), 'utf8')).join('\n');
  run(['add', 'api', '--headless'], 'add api --headless < AddApiRequest', JSON.stringify(addApi));
  run(['add', 'hosting', '--yes']);
}
if (!previous) createProject();
run(['publish', '--yes']);

const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
const hosting = Object.values(meta.hosting ?? {})[0];
const url = hosting?.output?.Url;
if (!url) {
  console.error('The demo stopped: amplify-meta.json has no hosting URL after publish.');
  process.exit(1);
}

const page = await getFromSite(url, '/');
const script = await getFromSite(url, '/app.js');
if (page.status !== 200 || !page.body.includes('id="root"') || script.status !== 200) {
  console.error(`The demo stopped: ${url} answered ${page.status} (page) and ${script.status} (app.js).`);
  process.exit(1);
}

// The user pool the app signs users up to answers from the same cloud.
const outputs = JSON.parse(readFileSync(join(project, 'amplify_outputs.json'), 'utf8'));
const endpoint = outputs.custom?.forte?.endpoint;
const probe = await fetch(`${endpoint}/cognito-idp/`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
  body: JSON.stringify({ ClientId: outputs.auth.user_pool_client_id, Username: 'demo@example.com', Password: 'short' }),
});
const answer = await probe.json();
if (answer.__type !== 'InvalidPasswordException') {
  console.error(`The demo stopped: the user pool answered ${probe.status} ${JSON.stringify(answer)} to a sign-up with a short password.`);
  process.exit(1);
}

// The API refuses a caller without a token, in AppSync's shape.
const graphql = await fetch(outputs.data?.url ?? 'missing', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ listTodos { items { id } } }' }),
}).catch((error) => ({ status: `unreachable (${error.message})`, headers: new Headers() }));
if (graphql.status !== 401 || graphql.headers.get('x-amzn-errortype') !== 'UnauthorizedException') {
  console.error(`The demo stopped: the GraphQL API at ${outputs.data?.url} answered ${graphql.status} to a request without a token.`);
  process.exit(1);
}

console.log(`\nThe app is live (${page.body.length} bytes of HTML, ${script.body.length} bytes of script checked):\n  ${url}`);
console.log(`\nOpen it, choose "Create Account", then read the confirmation code with:\n  (cd ${project} && node ${forte} mailbox)`);
console.log('Signed in, add to-dos; open a second tab to watch them arrive live. Notes also work offline.');
console.log(`\nStop the local cloud with: node ${forte} cloud stop`);
