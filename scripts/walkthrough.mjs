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
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const forte = join(root, 'packages/cli/dist/bin.js');
const home = process.env.FORTE_HOME || join(homedir(), '.forte');
const record = join(home, 'walkthrough.json');
const previous = (() => {
  try {
    const { project: dir } = JSON.parse(readFileSync(record, 'utf8'));
    return typeof dir === 'string' && existsSync(join(dir, 'amplify', 'team-provider-info.json')) ? dir : undefined;
  } catch {
    return undefined;
  }
})();
const project = previous ?? mkdtempSync(join(tmpdir(), 'forte-walkthrough-'));
const skip = new Set(['node_modules', 'dist', 'amplify', 'amplify_outputs.json']);
cpSync(join(root, 'examples/beer-walkthrough'), project, { recursive: true, filter: (src) => !skip.has(basename(src)) });
// The app's dependencies (React, aws-amplify, the Authenticator, esbuild) are installed in the repository.
if (!existsSync(join(project, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');

const run = (args, label, input) => {
  console.log(`\n$ forte ${label ?? args.join(' ')}`);
  const stdio = input === undefined ? 'inherit' : ['pipe', 'inherit', 'inherit'];
  const result = spawnSync(process.execPath, [forte, ...args], { cwd: project, stdio, input });
  if (result.status !== 0) {
    console.error(`\nThe walkthrough stopped: \`forte ${label ?? args.join(' ')}\` exited with ${result.status}.`);
    process.exit(1);
  }
};

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
  const frontend = JSON.stringify({
    frontend: 'javascript',
    framework: 'react',
    config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
  });
  run(['init', '--amplify', amplify, '--frontend', frontend, '--yes'], 'init --amplify … --frontend … --yes');
  mkdirSync(home, { recursive: true });
  writeFileSync(record, `${JSON.stringify({ project })}\n`);
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
// Browsers resolve *.localhost to 127.0.0.1 by themselves; Node does not, so connect to 127.0.0.1 and send the host.
const page = await new Promise((resolve, reject) => {
  const target = new URL(url);
  const req = request({ host: '127.0.0.1', port: target.port, path: '/', headers: { host: target.host } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('error', reject);
  req.end();
});
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
