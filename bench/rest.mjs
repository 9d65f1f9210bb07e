#!/usr/bin/env node
// REST API benchmark (docs/benchmarks.md, "REST APIs"). Loopback only, a temporary data folder.
//
// Set-up, through the cloud's own resource handlers (as a push does) in a fresh data folder: a code bucket, an
// execution role, and Amplify's Serverless ExpressJS function as the function category writes it
// (packages/category-function: `src/index.js` with aws-serverless-express, `src/app.js`, `src/package.json`),
// its dependencies installed with `npm install --production` from the registry into a temporary folder, the
// folder zipped (fflate), uploaded to the code bucket and deployed as AWS::Lambda::Function with the local Node's
// major as runtime (nothing downloaded). In front of it, a REST API as Amplify builds it (the Swagger body of
// packages/testing/src/apigateway-template.ts: `P` and `P/{proxy+}`, ANY → Lambda proxy, OPTIONS → mock CORS):
// one API with `/item` open (no authorization) and one with `/item` under IAM, each deployed as AWS::ApiGateway::RestApi and
// AWS::ApiGateway::Deployment (stage `bench`). Then the cloud runs as its own process on that folder, and in one
// run against `node bench/rest-bare.mjs` (the same app.js on bare node:http, `app.listen`):
// 1. `GET /item` through the open path (wrk replays it as it is) against `GET /item` on the bare server, at
//    BENCH_CONNECTIONS connections, and p50 at one connection.
// 2. `GET /item` on the IAM API signed with SigV4 (admin keys, @smithy/signature-v4; valid for 15 minutes, longer than the run).
// Where `taskset` exists (BENCH_PIN=0 turns it off), the servers run on core 0 and wrk on core 1. Answers are
// checked before any timing. Medians of BENCH_RUNS runs. CPU µs per request count the server and its children
// (the function processes). Each server is first loaded, uncounted, for BENCH_WARMUP seconds (30): ten function
// processes each see a tenth of the requests, and V8 takes that long to optimize the Express code in each of them.
// BENCH_PROFILE=DIR: a CPU profile of the cloud. BENCH_PROFILE_FUNCTIONS=DIR: one of each function process
// (bench/functions-profile.cjs, preloaded through the functions' NODE_OPTIONS; the cloud is then killed at the
// end so that they exit on their own and write them, and its own profile is not written).
// BENCH_DATABASE=postgres: the cloud on PostgreSQL (bench-kit.mjs `benchDatabase`), results in
// bench/results/rest-postgres-latest.json.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  benchDatabase,
  CONNECTIONS,
  PIN,
  RUNS,
  SECONDS,
  createResults,
  expressFunctionSource,
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
import { median, startCloud } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const cloudDist = join(root, 'packages/cloud/dist');
const RUNTIME = `nodejs${process.versions.node.split('.')[0]}.x`;
const ENV = 'bench';
const FUNCTION = `restexpress-${ENV}`;
const PROFILE_FUNCTIONS = process.env.BENCH_PROFILE_FUNCTIONS;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);

const work = mkdtempSync(join(tmpdir(), 'forte-bench-rest-'));
const database = benchDatabase();
const { record, write } = createResults(`rest${database.suffix}`);

/** Every file under `dir` by its path relative to it, for fflate's zipSync. */
function filesOf(dir, top = dir, out = {}) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesOf(path, top, out);
    else out[relative(top, path)] = readFileSync(path);
  }
  return out;
}

/** Resolves the few intrinsics of the API template (Ref, Fn::Join, Fn::If on ShouldNotCreateEnvResources). */
function resolve(value, refs) {
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs));
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) return refs[value.Ref] ?? assert.fail(`no value for Ref ${value.Ref}`);
  if ('Fn::Join' in value) return resolve(value['Fn::Join'][1], refs).join(value['Fn::Join'][0]);
  if ('Fn::If' in value) return resolve(value['Fn::If'][2], refs); // ShouldNotCreateEnvResources: env is not NONE
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, refs)]));
}

/** Deploys the function and the REST API into `dataDir` with the resource handlers; answers the API id. */
async function deploy(dataDir, src) {
  const { createCloud } = await import(join(cloudDist, 'server.js'));
  const { RESOURCE_TYPES } = await import(join(root, 'packages/protocol/dist/index.js'));
  const { amplifyRestApiTemplate } = await import(join(root, 'packages/testing/dist/apigateway-template.js'));
  const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { zipSync } = await import('fflate');
  const cloud = await createCloud({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn', database: database.url });
  try {
    const kernel = cloud.kernel;
    const ctx = (logicalId) => ({
      appId: 'bench',
      appSlug: 'bench',
      envName: ENV,
      stackName: 'amplify-bench-bench-api',
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
    const zip = zipSync(filesOf(src));
    await s3.send(new PutObjectCommand({ Bucket: 'bench-code', Key: `${FUNCTION}.zip`, Body: zip }));
    s3.destroy();
    const fn = await handler('AWS::Lambda::Function').create(
      {
        FunctionName: FUNCTION,
        Handler: 'index.handler',
        Runtime: RUNTIME,
        Role: String(role.attributes.Arn),
        Code: { S3Bucket: 'bench-code', S3Key: `${FUNCTION}.zip` },
        // A CPU profile of each function process, written when it exits (see the end of the run).
        ...(PROFILE_FUNCTIONS
          ? { Environment: { Variables: { NODE_OPTIONS: `--require ${join(root, 'bench/functions-profile.cjs')}`, BENCH_PROFILE_DIR: PROFILE_FUNCTIONS } } }
          : {}),
      },
      ctx('LambdaFunction'),
    );
    const functionArn = String(fn.attributes.Arn);
    await handler('AWS::Lambda::Permission').create(
      { Action: 'lambda:InvokeFunction', FunctionName: FUNCTION, Principal: 'apigateway.amazonaws.com' },
      ctx('functionrestfnPermission'),
    );

    /** One REST API with `/item` (and `/item/{proxy+}`) in the given setting; answers its id. */
    const deployApi = async (name, setting) => {
      const template = amplifyRestApiTemplate(name, [{ path: '/item', setting }]);
      const refs = {
        functionrestfnArn: functionArn,
        functionrestfnName: FUNCTION,
        env: ENV,
        'AWS::Region': kernel.config.region,
        'AWS::AccountId': kernel.config.accountId,
      };
      const api = await handler('AWS::ApiGateway::RestApi').create(resolve(template.Resources[name].Properties, refs), ctx(name));
      refs[name] = String(api.physicalId);
      for (const [logicalId, resource] of Object.entries(template.Resources))
        if (resource.Type === 'AWS::ApiGateway::GatewayResponse' || resource.Type === 'AWS::ApiGateway::Deployment')
          await handler(resource.Type).create(resolve(resource.Properties, refs), ctx(logicalId));
      return refs[name];
    };
    const apiId = await deployApi('benchrest', 'open');
    const signedApiId = await deployApi('benchsigned', 'private');
    return { apiId, signedApiId, credentials, region: kernel.config.region };
  } finally {
    await cloud.close();
  }
}

const fetchGet = (url, headers = {}) =>
  new Promise((done, fail) => {
    get(url, { headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', fail);
  });

/** Starts `node bench/rest-bare.mjs <mode> <src>`; answers its URL, pid and stop. */
// stderr dropped: the app's eventContext middleware writes a line for every request outside Lambda.
const startBare = (mode, src) => startBareServer(join(root, 'bench/rest-bare.mjs'), [mode, src], { stderr: 'ignore' });

const stops = [];
try {
  requireWrk();
  console.log(`${new Date().toISOString()}, load average ${load()}, runtime ${RUNTIME} (the local Node ${process.version}: nothing downloaded)`);
  const src = await expressFunctionSource(work);
  const dataDir = join(work, 'cloud');
  const deployed = await deploy(dataDir, src);
  const cloud = await startCloud(dataDir, profileArgs());
  // With function profiles, the cloud is killed outright: its function processes then see their IPC channel
  // close and exit on their own, writing their profiles (a normal stop kills them, and nothing is written).
  stops.push(PROFILE_FUNCTIONS ? () => killLeavingFunctions(cloud.pid) : () => cloud.stop());
  const bare = await startBare('app', src);
  stops.push(bare.stop);
  const inProcess = await startBare('handler', src);
  stops.push(inProcess.stop);

  // Answers first: the open path answers the Express route's JSON through the gateway as the bare app does; the
  // signed request wrk replays answers it too, and the same path unsigned is refused.
  const base = `${cloud.url}/restapis/${deployed.apiId}/${ENV}`;
  const open = { url: `${base}/item`, headers: {} };
  const bareRequest = { url: `${bare.url}/item`, headers: {} };
  const expected = { success: 'get call succeed!', url: '/item' };
  const viaCloud = await fetchGet(open.url);
  assert.equal(viaCloud.status, 200, `GET /item through the gateway: ${viaCloud.text}`);
  assert.deepEqual(JSON.parse(viaCloud.text), expected);
  assert.equal(viaCloud.headers['access-control-allow-origin'], '*', "the app's CORS header comes through");
  const viaBare = await fetchGet(bareRequest.url);
  assert.deepEqual(JSON.parse(viaBare.text), expected, `the bare app: ${viaBare.text}`);
  const handlerRequest = { url: `${inProcess.url}/item`, headers: {} };
  const viaHandler = await fetchGet(handlerRequest.url);
  assert.deepEqual(JSON.parse(viaHandler.text), expected, `the handler in-process: ${viaHandler.text}`);
  const signed = await signedRequest({
    href: `${cloud.url}/restapis/${deployed.signedApiId}/${ENV}/item`,
    method: 'GET',
    service: 'execute-api',
    region: deployed.region,
    credentials: deployed.credentials,
  });
  const viaSigned = await fetchGet(signed.url, signed.headers);
  assert.equal(viaSigned.status, 200, `GET /item signed, IAM path: ${viaSigned.text}`);
  assert.deepEqual(JSON.parse(viaSigned.text), expected);
  const unsigned = await fetchGet(signed.url);
  assert.equal(unsigned.status, 403, `GET /item unsigned on the IAM API is refused: ${unsigned.text}`);
  assert.equal((await fetchGet(signed.url, signed.headers)).status, 200, 'the same signed request answers again');

  for (const pid of [cloud.pid, bare.pid, inProcess.pid]) pin(pid);
  console.log(PIN ? 'servers on core 0, wrk on core 1 (BENCH_PIN=0: unpinned)' : 'unpinned (no taskset, one core, or BENCH_PIN=0)');
  // Warm-up (not counted): the function's pool grows to CONNECTIONS warm processes, whose code V8 then optimizes.
  measure(bare, bareRequest, CONNECTIONS, WARMUP);
  measure(cloud, open, CONNECTIONS, WARMUP);
  measure(inProcess, handlerRequest, CONNECTIONS, WARMUP);
  const rows = {};
  const push = (key, value) => (rows[key] ??= []).push(value);
  for (let run = 0; run < RUNS; run++) {
    const b = measure(bare, bareRequest, CONNECTIONS);
    const c = measure(cloud, open, CONNECTIONS);
    const b1 = measure(bare, bareRequest, 1, Math.max(3, SECONDS / 2));
    const c1 = measure(cloud, open, 1, Math.max(3, SECONDS / 2));
    const h = measure(inProcess, handlerRequest, CONNECTIONS);
    for (const [key, value] of Object.entries({ b, c, b1, c1, h })) push(key, value);
    push('ratio', c.perSecond / b.perSecond);
    push('handlerRatio', c.perSecond / h.perSecond);
    console.log(
      `run ${run + 1}: GET /item cloud ${c.perSecond.toFixed(0)} / bare ${b.perSecond.toFixed(0)} req/s, ` +
        `p50 at 1 connection ${c1.p50Ms} / ${b1.p50Ms} ms; handler in-process ${h.perSecond.toFixed(0)} req/s (load ${load()})`,
    );
  }
  assert.deepEqual(JSON.parse((await fetchGet(open.url)).text), expected, 'the API still answers after the load');
  const stat = (key, field) => median(rows[key].map((r) => r[field]));
  const note = `${wrkNote()} after ${WARMUP} s of uncounted warm-up`;
  const detail = (key) =>
    `p50 ${stat(key, 'p50Ms').toFixed(2)} ms, p99 ${stat(key, 'p99Ms').toFixed(2)} ms, ${stat(key, 'cpuUs').toFixed(0)} CPU µs/req (server and its children; ${stat(key, 'serverCpuUs').toFixed(0)} the server alone)`;
  record('GET /item: the Express app on bare node:http (req/s)', stat('b', 'perSecond'), 'req/s', '', detail('b'));
  record('GET /item: API Gateway open path + warm Express function (req/s)', stat('c', 'perSecond'), 'req/s', '', detail('c'));
  record('GET /item: cloud / bare', median(rows.ratio), 'ratio', '≥ 0.5', note);
  const one = (key) => `${stat(key, 'perSecond').toFixed(0)} req/s, p99 ${stat(key, 'p99Ms').toFixed(2)} ms, ${stat(key, 'cpuUs').toFixed(0)} CPU µs/req`;
  record('GET /item p50, 1 connection: bare', stat('b1', 'p50Ms'), 'ms', '', one('b1'));
  record('GET /item p50, 1 connection: cloud', stat('c1', 'p50Ms'), 'ms', '', one('c1'));
  record("GET /item: the function's handler called in-process behind node:http (req/s)", stat('h', 'perSecond'), 'req/s', '', detail('h'));
  record('GET /item: cloud / handler in-process', median(rows.handlerRatio), 'ratio', '', note);
  if (process.env.BENCH_SIGNED !== '0') {
    const s = [];
    for (let run = 0; run < RUNS; run++) s.push(measure(cloud, signed, CONNECTIONS));
    const sm = (field) => median(s.map((r) => r[field]));
    record(
      'GET /item signed with SigV4 (admin keys) on an IAM path: cloud (req/s)',
      sm('perSecond'),
      'req/s',
      '',
      `p50 ${sm('p50Ms').toFixed(2)} ms, p99 ${sm('p99Ms').toFixed(2)} ms, ${sm('cpuUs').toFixed(0)} CPU µs/req`,
    );
  }
  console.log(`load average at the end ${load()}`);
} finally {
  for (const stop of stops.reverse()) await stop();
  write();
  rmSync(work, { recursive: true, force: true });
  await database.drop();
}
