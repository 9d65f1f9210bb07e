#!/usr/bin/env node
// Amplify's classic REST walkthrough on Forte, as the second sample app: a fresh project from
// examples/beer-walkthrough (a React page where signed-in users list, add and delete beers), `forte init`,
// `forte add auth`, `forte add storage` (the NoSQL table `beer`, partition key `id`), `forte add api` (the REST
// API `beerapi`: path `/beer`, a new function `beerLambda` from the "CRUD function for Amazon DynamoDB table"
// template on that table, signed-in users only with create/read/update/delete), `forte add hosting`, `forte
// publish`; then a check that the app is served and that the API refuses a signed-out request. It uses your
// FORTE_HOME (default ~/.forte); the local cloud keeps running, so the printed URL keeps working. Stop it with
// `node packages/cli/dist/bin.js cloud stop`. Run again, it publishes the same project again (its folder is kept
// in $FORTE_HOME/walkthrough.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_FRONTEND, exampleProject, forte, getFromSite } from './example-project.mjs';

const { project, previous, run, remember } = exampleProject({ example: 'beer-walkthrough', record: 'walkthrough', stopped: 'The walkthrough stopped' });

/** The walkthrough's requests, as `forte add … --headless` takes them (the interactive questions ask the same). */
const WALKTHROUGH = {
  storage: {
    version: 1,
    serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'beer', tableName: 'beer', partitionKey: { fieldName: 'id', fieldType: 'string' } },
  },
  api: {
    version: 1,
    serviceConfiguration: {
      serviceName: 'API Gateway',
      apiName: 'beerapi',
      paths: {
        '/beer': {
          newFunction: { name: 'beerLambda', template: 'crud', crudTable: 'beer' },
          permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] },
        },
      },
    },
  },
};

console.log(`Walkthrough project: ${project}${previous ? " (the previous walkthrough's, published again)" : ''}`);
if (!previous) {
  const amplify = JSON.stringify({ projectName: 'beers', envName: 'dev', defaultEditor: 'code' });
  run(['init', '--amplify', amplify, '--frontend', EXAMPLE_FRONTEND, '--yes'], 'init --amplify … --frontend … --yes');
  remember();
  run(['add', 'auth', '--yes']);
  run(['add', 'storage', '--headless'], 'add storage --headless < the beer table', JSON.stringify(WALKTHROUGH.storage));
  run(['add', 'api', '--headless'], 'add api --headless < beerapi: /beer → beerLambda (CRUD template), signed-in users', JSON.stringify(WALKTHROUGH.api));
  run(['add', 'hosting', '--yes']);
}
run(['publish', '--yes']);

const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
const url = Object.values(meta.hosting ?? {})[0]?.output?.Url;
const rootUrl = meta.api?.beerapi?.output?.RootUrl;
if (!url || !rootUrl) {
  console.error('The walkthrough stopped: amplify-meta.json has no hosting URL or REST API URL after publish.');
  process.exit(1);
}
const page = await getFromSite(url, '/');
if (page.status !== 200 || !page.body.includes('id="root"')) {
  console.error(`The walkthrough stopped: ${url} answered ${page.status}.`);
  process.exit(1);
}
// Signed-out visitors are refused by the gateway itself, before the function runs.
const signedOut = await fetch(`${rootUrl}/beer`).catch((error) => ({ status: `unreachable (${error.message})` }));
if (signedOut.status !== 403) {
  console.error(`The walkthrough stopped: ${rootUrl}/beer answered ${signedOut.status} to a signed-out request.`);
  process.exit(1);
}

console.log(`\nThe app is live:\n  ${url}`);
console.log(`\nOpen it, choose "Create Account", then read the confirmation code with:\n  (cd ${project} && node ${forte} mailbox)`);
console.log('Signed in, add and delete beers: each call goes through API Gateway to the Express function and the beer table.');
console.log(`\nStop the local cloud with: node ${forte} cloud stop`);
