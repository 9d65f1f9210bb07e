#!/usr/bin/env node
// Functions benchmarks (docs/benchmarks.md, "Functions"). Loopback only, temporary data folders and FORTE_HOME.
//
// Set-up, through the cloud's own resource handlers (as a push does) in a fresh data folder: a code bucket,
// an execution role, an empty function (`exports.handler = async () => null`), BENCH_COLD Hello World
// functions (the category's template code) and an echo-style function behind an API key GraphQL API with
// one `@function` Query field. Every function's runtime is the local Node's major (nodejs<major>.x), so no
// Node.js release is downloaded. Then the cloud runs as its own process on that folder, and in one run:
// 1. Warm invoke: Invoke (POST /2015-03-31/functions/<name>/invocations, body {}) with wrk replaying one
//    SigV4-signed request (admin keys, @smithy/signature-v4; a signature is valid for 15 minutes, longer than
//    the run), against bench/functions-bare.mjs `invoke` (node:http forwarding each body to a warm forked child
//    over IPC). Rate at BENCH_CONNECTIONS connections and p50 at one connection.
// 2. Cold start: the first Invoke (through @aws-sdk/client-lambda, its connection already open) of each
//    freshly deployed Hello World function (process spawn, the runtime's bootstrap, loading the handler, the
//    invocation and its answer), beside `node -e ''` to its exit and `node -e 'console.log(1)'` to its first
//    output, both timed between the samples by a small Node process of their own.
// 3. `@function` query through AppSync (API key) against bench/functions-bare.mjs `graphql` (the same handler
//    called in-process behind node:http).
// 4. Push of a project with 10 functions through the CLI (packages/cli/dist/bin.js, own FORTE_HOME): init,
//    10 × `forte add function --headless` (Hello World; the template's Runtime set to the local major), a
//    first push, one line changed in each src/index.js, the second push (the figure). BENCH_PUSH=0 skips it.
// Where `taskset` exists (BENCH_PIN=0 turns it off), the servers under load run on core 0 and wrk on core 1
// (cold starts are measured before pinning). Answers are checked before any timing. Medians of BENCH_RUNS runs.
// BENCH_PROFILE=DIR: a CPU profile of the cloud. BENCH_PROFILE_FUNCTIONS=DIR: one of each function process
// (bench/functions-profile.cjs, preloaded through the functions' NODE_OPTIONS; the cloud is then killed at the
// end so that they exit on their own and write them, and its own profile is not written).
// BENCH_DATABASE=postgres: the cloud on PostgreSQL (bench-kit.mjs `benchDatabase`; the push's cloud stays on
// SQLite), results in bench/results/functions-postgres-latest.json.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchDatabase,
  CONNECTIONS,
  PIN,
  RUNS,
  SECONDS,
  createResults,
  killLeavingFunctions,
  load,
  measure,
  pin,
  profileArgs,
  requireWrk,
  signedRequest,
  startBare as startBareServer,
  wrkNote,
} from './bench-kit.mjs';
import { median, postJson, startCloud } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const cloudDist = join(root, 'packages/cloud/dist');
const forteBin = join(root, 'packages/cli/dist/bin.js');
const COLD = Number(process.env.BENCH_COLD ?? 7);
const FUNCTIONS = 10;
const RUNTIME = `nodejs${process.versions.node.split('.')[0]}.x`;
const ENV = 'bench';
const PROFILE_FUNCTIONS = process.env.BENCH_PROFILE_FUNCTIONS;

const EMPTY = 'exports.handler = async () => null;\n';
// The category's Hello World template (packages/category-function/src/source-templates.ts), comments left out.
const HELLO_WORLD = `exports.handler = async (event) => {
  console.log(\`EVENT: \${JSON.stringify(event)}\`);
  return { statusCode: 200, body: JSON.stringify('Hello from Lambda!') };
};
`;
const GREETER = 'exports.handler = async (event) => `Hello, ${event.arguments.name}!`;\n';
const SCHEMA = `type Query { greet(name: String): String @function(name: "greeter-\${env}") }`;
const GREET = 'query Greet($name: String) { greet(name: $name) }';

const work = mkdtempSync(join(tmpdir(), 'forte-bench-functions-'));
const database = benchDatabase();
const { record, write } = createResults(`functions${database.suffix}`);
const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Deploys the bench's functions and API into `dataDir` with the resource handlers; answers their names and key. */
async function deploy(dataDir) {
  const { createCloud } = await import(join(cloudDist, 'server.js'));
  const { transform } = await import(join(root, 'packages/graphql-transformer/dist/index.js'));
  const { APPSYNC_RESOURCE_TYPES, RESOURCE_TYPES } = await import(join(root, 'packages/protocol/dist/index.js'));
  const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { zipSync } = await import('fflate');
  const cloud = await createCloud({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn', database: database.url });
  try {
    const kernel = cloud.kernel;
    const ctx = (logicalId) => ({
      appId: 'bench',
      appSlug: 'bench',
      envName: ENV,
      stackName: 'amplify-bench-bench-function',
      logicalId,
      region: kernel.config.region,
      accountId: kernel.config.accountId,
      log: kernel.log,
    });
    const handler = (type) => kernel.resourceHandler(type) ?? assert.fail(`the cloud has no handler for ${type}`);
    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
    await handler(RESOURCE_TYPES.bucket).create({ BucketName: 'bench-code' }, ctx('DeploymentBucket'));
    const s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: kernel.config.region, credentials, maxAttempts: 1 });
    const role = await handler(RESOURCE_TYPES.role).create(
      {
        RoleName: 'bench-lambda-role',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
      ctx('LambdaExecutionRole'),
    );
    const deployFunction = async (name, code) => {
      await s3.send(new PutObjectCommand({ Bucket: 'bench-code', Key: `${name}.zip`, Body: zipSync({ 'index.js': Buffer.from(code) }) }));
      await handler('AWS::Lambda::Function').create(
        {
          FunctionName: name,
          Handler: 'index.handler',
          Runtime: RUNTIME,
          Role: String(role.attributes.Arn),
          Code: { S3Bucket: 'bench-code', S3Key: `${name}.zip` },
          // A CPU profile of each function process, written when it exits (see killLeavingFunctions).
          ...(PROFILE_FUNCTIONS
            ? { Environment: { Variables: { NODE_OPTIONS: `--require ${join(root, 'bench/functions-profile.cjs')}`, BENCH_PROFILE_DIR: PROFILE_FUNCTIONS } } }
            : {}),
        },
        ctx(name),
      );
      return name;
    };
    const empty = await deployFunction(`empty-${ENV}`, EMPTY);
    const cold = [];
    for (let i = 0; i < COLD; i++) cold.push(await deployFunction(`hello${i}-${ENV}`, HELLO_WORLD));
    await deployFunction(`greeter-${ENV}`, GREETER);
    s3.destroy();

    const authConfig = { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] };
    const compiled = transform({ schema: SCHEMA, authConfig });
    const api = await handler(APPSYNC_RESOURCE_TYPES.graphQLApi).create({ Name: `bench-${ENV}`, AuthenticationType: 'API_KEY' }, ctx('GraphQLAPI'));
    const apiId = String(api.attributes.ApiId);
    assert.equal(compiled.plan.tables.length, 0, 'the bench API has no tables');
    await handler(APPSYNC_RESOURCE_TYPES.graphQLSchema).create(
      { ApiId: apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: {} },
      ctx('GraphQLSchema'),
    );
    const key = await handler(APPSYNC_RESOURCE_TYPES.apiKey).create({ ApiId: apiId, ExpirationDays: 7 }, ctx('GraphQLAPIKey'));
    return { empty, cold, apiId, apiKey: String(key.attributes.ApiKey), credentials, region: kernel.config.region };
  } finally {
    await cloud.close();
  }
}

/**
 * The process-start baselines, timed by a small Node process of their own (spawning from this one, which holds
 * the AWS SDK and the whole cloud from the set-up, is slower, and the cloud spawns from a process of its own):
 * `node -e ''` with spawnSync, to its exit; and `node -e 'console.log(1)'` spawned as the runtime spawns a
 * function process, to its first output (its exit not counted, as a cold start's is not).
 */
function processStarts() {
  const timer = `
    const { spawn, spawnSync } = require('node:child_process');
    const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '']);
    const exitMs = ms(t0);
    const t1 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', 'console.log(1)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => console.log(JSON.stringify({ exitMs, firstOutputMs: ms(t1) })));
  `;
  const r = spawnSync(process.execPath, ['-e', timer], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the process-start timer exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Starts `node bench/functions-bare.mjs <mode> <handler file>`; answers its URL, pid and stop. */
async function startBare(mode, code) {
  const file = join(work, `${mode}-handler.js`);
  writeFileSync(file, code);
  return startBareServer(join(root, 'bench/functions-bare.mjs'), [mode, file]);
}

const stops = [];
try {
  requireWrk();
  console.log(`${new Date().toISOString()}, load average ${load()}, runtime ${RUNTIME} (the local Node ${process.version}: nothing downloaded)`);
  const dataDir = join(work, 'cloud');
  const t0 = process.hrtime.bigint();
  const deployed = await deploy(dataDir);
  record(`set-up: ${COLD + 2} functions and a GraphQL API`, elapsedMs(t0), 'ms');

  const cloud = await startCloud(dataDir, profileArgs());
  // With function profiles, the cloud is killed outright: its function processes then see their IPC channel
  // close and exit on their own, writing their profiles (a normal stop kills them, and nothing is written).
  stops.push(PROFILE_FUNCTIONS ? () => killLeavingFunctions(cloud.pid) : () => cloud.stop());
  const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  const lambda = new LambdaClient({ endpoint: cloud.url, region: deployed.region, credentials: deployed.credentials, maxAttempts: 1 });
  stops.push(() => lambda.destroy());
  const invoke = async (name) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
    assert.equal(out.FunctionError, undefined, `${name}: ${Buffer.from(out.Payload ?? []).toString()}`);
    return Buffer.from(out.Payload ?? []).toString('utf8');
  };

  // Answers first: the empty function answers null through the SDK and through the signed request wrk replays,
  // an unsigned request is refused; the field answers the greeting.
  assert.equal(await invoke(deployed.empty), 'null', 'the empty function answers null');
  const invokeRequest = await signedRequest({
    href: `${cloud.url}/2015-03-31/functions/${deployed.empty}/invocations`,
    method: 'POST',
    service: 'lambda',
    region: deployed.region,
    credentials: deployed.credentials,
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const replayed = await postJson(invokeRequest.url, invokeRequest.headers, {});
  assert.equal(replayed.status, 200, `the signed request: ${replayed.text}`);
  assert.equal(replayed.text, 'null');
  const replayedAgain = await postJson(invokeRequest.url, invokeRequest.headers, {});
  assert.equal(replayedAgain.text, 'null', 'the same signed request answers again');
  const unsigned = await postJson(invokeRequest.url, {}, {});
  assert.equal(unsigned.status, 403, `an unsigned Invoke is refused: ${unsigned.text}`);
  const graphqlUrl = `${cloud.url}/graphql/${deployed.apiId}`;
  const greetBody = { query: GREET, variables: { name: 'bench' } };
  const greeted = await postJson(graphqlUrl, { 'x-api-key': deployed.apiKey }, greetBody);
  assert.deepEqual(greeted.json, { data: { greet: 'Hello, bench!' } }, `the @function field: ${greeted.text}`);
  const refused = await postJson(graphqlUrl, { 'x-api-key': 'da2-wrong' }, greetBody);
  assert.equal(refused.status, 401, `a wrong API key is refused: ${refused.text}`);

  // 2. Cold starts (before pinning: the function processes and node -e '' both have the two cores).
  const nodeStarts = [];
  const nodeFirstOutputs = [];
  const colds = [];
  for (const name of deployed.cold) {
    const baseline = processStarts();
    nodeStarts.push(baseline.exitMs);
    nodeFirstOutputs.push(baseline.firstOutputMs);
    const c0 = process.hrtime.bigint();
    const answer = JSON.parse(await invoke(name));
    colds.push(elapsedMs(c0));
    assert.deepEqual(answer, { statusCode: 200, body: '"Hello from Lambda!"' }, `${name}: the Hello World answer`);
  }
  const w0 = process.hrtime.bigint();
  await invoke(deployed.cold[0]);
  const warmSdk = elapsedMs(w0);
  const nodeStart = median(nodeStarts);
  const coldStart = median(colds);
  record(`node -e '' (process start baseline, median of ${COLD})`, nodeStart, 'ms');
  record(
    `cold start: first Invoke of a Hello World function (median of ${COLD})`,
    coldStart,
    'ms',
    '',
    `samples ${colds.map((c) => c.toFixed(0)).join(', ')} ms`,
  );
  record('cold start / node -e ""', coldStart / nodeStart, 'ratio', '≤ 2');
  const nodeFirstOutput = median(nodeFirstOutputs);
  record(`node -e 'console.log(1)' spawned, to its first output (no exit counted; median of ${COLD})`, nodeFirstOutput, 'ms');
  record('cold start / node to its first output', coldStart / nodeFirstOutput, 'ratio');
  record('the same function warm, through the SDK (one call)', warmSdk, 'ms');

  // 1. and 3. Warm invoke and @function query under load.
  const bareInvoke = await startBare('invoke', EMPTY);
  stops.push(bareInvoke.stop);
  const bareGraphql = await startBare('graphql', GREETER);
  stops.push(bareGraphql.stop);
  for (const pid of [cloud.pid, bareInvoke.pid, bareGraphql.pid]) pin(pid);
  console.log(PIN ? 'servers on core 0, wrk on core 1 (BENCH_PIN=0: unpinned)' : 'unpinned (no taskset, one core, or BENCH_PIN=0)');
  const bareInvokeRequest = {
    url: `${bareInvoke.url}/2015-03-31/functions/empty/invocations`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  };
  assert.equal((await postJson(bareInvokeRequest.url, {}, {})).text, 'null', 'the bare invoke server answers null');
  const greetRequest = (url, headers) => ({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(greetBody),
  });
  const cloudGreet = greetRequest(graphqlUrl, { 'x-api-key': deployed.apiKey });
  const bareGreet = greetRequest(`${bareGraphql.url}/graphql`, {});
  assert.deepEqual((await postJson(bareGreet.url, {}, greetBody)).json, greeted.json, 'the bare GraphQL server answers as the cloud');

  // Warm-up (not counted): the pools grow to CONNECTIONS warm processes on both sides.
  for (const [server, request] of [
    [bareInvoke, bareInvokeRequest],
    [cloud, invokeRequest],
    [bareGraphql, bareGreet],
    [cloud, cloudGreet],
  ])
    measure(server, request, CONNECTIONS, 3);
  const rows = {};
  const push = (key, value) => (rows[key] ??= []).push(value);
  for (let run = 0; run < RUNS; run++) {
    const b = measure(bareInvoke, bareInvokeRequest, CONNECTIONS);
    const c = measure(cloud, invokeRequest, CONNECTIONS);
    const b1 = measure(bareInvoke, bareInvokeRequest, 1, Math.max(3, SECONDS / 2));
    const c1 = measure(cloud, invokeRequest, 1, Math.max(3, SECONDS / 2));
    const gb = measure(bareGraphql, bareGreet, CONNECTIONS);
    const gc = measure(cloud, cloudGreet, CONNECTIONS);
    for (const [key, value] of Object.entries({ b, c, b1, c1, gb, gc })) push(key, value);
    push('invokeRatio', c.perSecond / b.perSecond);
    push('graphqlRatio', gc.perSecond / gb.perSecond);
    // Where any design that runs the handler in a process of its own stops: HTTP in, IPC to a warm process and
    // back, nothing else (the bare invoke server), against the handler called in the server's own process.
    push('outOfProcessCeiling', b.perSecond / gb.perSecond);
    console.log(
      `run ${run + 1}: invoke cloud ${c.perSecond.toFixed(0)} / bare ${b.perSecond.toFixed(0)} req/s, p50 at 1 connection ${c1.p50Ms} / ${b1.p50Ms} ms; ` +
        `@function cloud ${gc.perSecond.toFixed(0)} / bare ${gb.perSecond.toFixed(0)} req/s (load ${load()})`,
    );
  }
  // A fresh connection: the SDK's pooled one sat idle through the load and the cloud has closed it.
  assert.equal((await postJson(invokeRequest.url, invokeRequest.headers, {})).text, 'null', 'the empty function still answers after the load');
  const stat = (key, field) => median(rows[key].map((r) => r[field]));
  const note = wrkNote();
  const detail = (key) =>
    `p50 ${stat(key, 'p50Ms').toFixed(2)} ms, p99 ${stat(key, 'p99Ms').toFixed(2)} ms, ${stat(key, 'cpuUs').toFixed(0)} CPU µs/req (server and its children; ${stat(key, 'serverCpuUs').toFixed(0)} the server alone)`;
  record('warm invoke: bare node:http + forked child over IPC (req/s)', stat('b', 'perSecond'), 'req/s', '', detail('b'));
  record('warm invoke: cloud Invoke API (req/s)', stat('c', 'perSecond'), 'req/s', '', detail('c'));
  record('warm invoke: cloud / bare', median(rows.invokeRatio), 'ratio', '≥ 0.60', note);
  record('warm invoke p50, 1 connection: bare', stat('b1', 'p50Ms'), 'ms', '', `${stat('b1', 'perSecond').toFixed(0)} req/s`);
  record(
    'warm invoke p50, 1 connection: cloud',
    stat('c1', 'p50Ms'),
    'ms',
    '< 2 ms',
    `${stat('c1', 'perSecond').toFixed(0)} req/s, p99 ${stat('c1', 'p99Ms').toFixed(2)} ms`,
  );
  record('@function query: bare node:http, handler in-process (req/s)', stat('gb', 'perSecond'), 'req/s', '', detail('gb'));
  record('@function query: cloud AppSync, API key (req/s)', stat('gc', 'perSecond'), 'req/s', '', detail('gc'));
  record('@function query: cloud / bare', median(rows.graphqlRatio), 'ratio', '≥ 0.40', note);
  record(
    '@function query: bound of an out-of-process handler (bare IPC server / bare in-process)',
    median(rows.outOfProcessCeiling),
    'ratio',
    '',
    'the bare invoke server does no more than HTTP and one IPC round trip: no design that runs the handler in another process reaches a higher @function ratio',
  );
  for (const stop of stops.splice(0).reverse()) await stop();

  // 4. Push of a project with 10 functions.
  if (process.env.BENCH_PUSH !== '0') await benchPush();
  console.log(`load average at the end ${load()}`);
} finally {
  for (const stop of stops.reverse()) await stop();
  write();
  rmSync(work, { recursive: true, force: true });
  await database.drop();
}

async function benchPush() {
  const home = join(work, 'home');
  const env = { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0' };
  // The CLI's cloud is its own, on SQLite in FORTE_HOME, whatever BENCH_DATABASE says: the push is timed as users run it.
  delete env.FORTE_DATABASE;
  const forte = (cwd, args, input) => {
    const r = spawnSync(process.execPath, [forteBin, ...args], { cwd, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
    if (r.status !== 0) throw new Error(`forte ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const timed = (fn) => {
    const t = process.hrtime.bigint();
    fn();
    return elapsedMs(t);
  };
  const firsts = [];
  const seconds = [];
  const unchanged = [];
  const installs = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const project = join(work, `push${run}`);
      mkdirSync(project);
      forte(project, [
        'init',
        '--amplify',
        JSON.stringify({ projectName: `fnpush${run}`, envName: 'dev' }),
        '--frontend',
        JSON.stringify({
          frontend: 'javascript',
          framework: 'none',
          config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'node -e ""', StartCommand: 'node -e ""' },
        }),
        '--providers',
        '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"default"}}',
        '--yes',
      ]);
      const names = Array.from({ length: FUNCTIONS }, (_, i) => `benchfn${i}`);
      for (const name of names) {
        forte(project, ['add', 'function', '--headless'], JSON.stringify({ name, runtime: 'nodejs', template: 'hello-world' }));
        // The local Node's major, so the push downloads no Node.js release.
        const template = join(project, 'amplify/backend/function', name, `${name}-cloudformation-template.json`);
        const json = JSON.parse(readFileSync(template, 'utf8'));
        json.Resources.LambdaFunction.Properties.Runtime = RUNTIME;
        writeFileSync(template, JSON.stringify(json, null, 2));
      }
      firsts.push(timed(() => forte(project, ['push', '--yes'])));
      for (const name of names) {
        const file = join(project, 'amplify/backend/function', name, 'src/index.js');
        const source = readFileSync(file, 'utf8');
        assert.ok(source.includes("'Hello from Lambda!'"), `${name}: the Hello World template`);
        writeFileSync(file, source.replace("'Hello from Lambda!'", `'Hello from ${name}, run ${run}!'`));
      }
      seconds.push(timed(() => forte(project, ['push', '--yes'])));
      unchanged.push(timed(() => forte(project, ['push', '--yes'])));
      // What the build runs once per changed function (its sources changed, so it installs again, as Amplify's does).
      const src = join(project, 'amplify/backend/function', names[0], 'src');
      installs.push(timed(() => spawnSync('npm install --no-bin-links --production', { cwd: src, shell: true, stdio: 'ignore' })));
      const answered = forte(project, ['function', 'invoke', names[FUNCTIONS - 1]]).stdout;
      assert.ok(answered.includes(`Hello from ${names[FUNCTIONS - 1]}, run ${run}!`), `the changed function answers its new text:\n${answered}`);
      console.log(
        `push run ${run + 1}: first ${firsts.at(-1).toFixed(0)} ms, after a one-line change in each ${seconds.at(-1).toFixed(0)} ms, ` +
          `no changes ${unchanged.at(-1).toFixed(0)} ms, one npm install ${installs.at(-1).toFixed(0)} ms (load ${load()})`,
      );
      assert.deepEqual(readdirSync(join(project, 'amplify/backend/function')).sort(), [...names].sort());
    }
  } finally {
    spawnSync(process.execPath, [forteBin, 'cloud', 'stop'], { env, stdio: 'ignore' });
  }
  record(`first push of ${FUNCTIONS} Hello World functions (${RUNTIME})`, median(firsts), 'ms', '', `median of ${RUNS}`);
  record(
    `push after a one-line change in each of the ${FUNCTIONS} functions`,
    median(seconds),
    'ms',
    '≤ 2000 ms',
    `median of ${RUNS}, samples ${seconds.map((s) => s.toFixed(0)).join(', ')} ms`,
  );
  record('push with no changes (the same project)', median(unchanged), 'ms', '', `median of ${RUNS}`);
  record("one `npm install --no-bin-links --production` in a function's src/ (no dependencies)", median(installs), 'ms', '', `median of ${RUNS}`);
}
