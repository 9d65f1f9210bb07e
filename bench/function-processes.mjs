#!/usr/bin/env node
// What one invocation of Amplify's Serverless ExpressJS function costs in its function process, with one warm
// process and with ten (the REST benchmark's ten connections), against the same handler called in this process.
// No gateway and no cloud: this process drives the runtime's own process driver (createFunctionProcess, from the
// built packages/cloud/dist) over IPC, as the cloud does, with the REST (v1) proxy event of `GET /item`.
// 1. the handler in this process (aws-serverless-express in front of the app, as in the function);
// 2. one function process, one invocation at a time;
// 3. ten function processes, ten invocations at a time (each process one at a time, as on Lambda), measured after
//    BENCH_WARM_SHORT (1,000) and again after BENCH_WARM_LONG (10,000) invocations per process.
// Each measure is BENCH_INVOCATIONS (10,000) invocations after its warm-up; CPU µs per invocation of the function
// processes (/proc) and of this process. Everything on core 0 (`taskset`; BENCH_PIN=0 turns it off).
// The function's src/ is the category's template with its dependencies installed from the registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIN, createResults, expressFunctionSource, load, pin } from './bench-kit.mjs';
import { cpuMsOf } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 10_000);
const WARM_SHORT = Number(process.env.BENCH_WARM_SHORT ?? 1_000);
const WARM_LONG = Number(process.env.BENCH_WARM_LONG ?? 10_000);
const PROCESSES = 10;
const { record, write } = createResults('function-processes');
const work = mkdtempSync(join(tmpdir(), 'forte-bench-fnproc-'));

const { createFunctionProcess } = await import(join(root, 'packages/cloud/dist/services/lambda/runtime/function-process.js'));
const src = await expressFunctionSource(work);

const headers = { Host: '127.0.0.1', 'User-Agent': 'wrk', Accept: '*/*', 'X-Forwarded-For': '127.0.0.1' };
const eventText = (i) =>
  JSON.stringify({
    resource: '/item',
    path: '/item',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      stage: 'bench',
      requestId: String(i),
      httpMethod: 'GET',
      path: '/bench/item',
      resourcePath: '/item',
      identity: { sourceIp: '127.0.0.1' },
    },
    body: null,
    isBase64Encoded: false,
  });
const EXPECTED = { success: 'get call succeed!', url: '/item' };
const check = (payload) => {
  const answer = JSON.parse(payload);
  if (answer.statusCode !== 200 || JSON.stringify(JSON.parse(answer.body)) !== JSON.stringify(EXPECTED)) throw new Error(`unexpected answer: ${payload}`);
};
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

pin(process.pid);
console.log(`${new Date().toISOString()}, load average ${load()}, Node ${process.version}${PIN ? ', all on core 0' : ', unpinned'}`);

/** Runs `perWorker` invocations on each worker at once; answers µs per invocation: the workers' CPU, this process's, and the wall time. */
async function measure(workers, perWorker) {
  const cpus = () => workers.reduce((sum, w) => sum + (w.pid === undefined ? 0 : cpuMsOf(w.pid) * 1000), 0);
  const c0 = cpus();
  const s0 = ownCpu();
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    workers.map(async (worker) => {
      for (let i = 0; i < perWorker; i++) check(await worker.run(++n));
    }),
  );
  const count = workers.length * perWorker;
  return { workers: (cpus() - c0) / count, driver: (ownCpu() - s0) / count, perSecond: count / ((performance.now() - t0) / 1000) };
}

// 1. The handler in this process: its console.log of the event goes nowhere, as the bare baselines' does.
const require = createRequire(join(src, 'index.js'));
const log = console.log;
console.log = () => undefined;
// The template's app.listen(3000) at load goes to a free port, as the function runtime sends it (bootstrap.cjs).
const listen = Server.prototype.listen;
Server.prototype.listen = function (port, ...rest) {
  return listen.call(this, port === 3000 ? 0 : port, ...rest);
};
const { handler } = require(join(src, 'index.js'));
Server.prototype.listen = listen;
const inProcess = { pid: undefined, run: async (i) => JSON.stringify(await handler(JSON.parse(eventText(i)), { awsRequestId: String(i) })) };
await measure([inProcess], WARM_LONG);
const own = await measure([inProcess], INVOCATIONS);
console.log = log;
record('the handler in this process (CPU µs per invocation)', own.driver, 'µs', '', `${own.perSecond.toFixed(0)} invocations/s`);

// 2. and 3. Function processes, started as the runtime starts them.
const env = {
  LAMBDA_TASK_ROOT: src,
  _HANDLER: 'index.handler',
  AWS_LAMBDA_FUNCTION_NAME: 'restexpress',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/restexpress',
  AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
  AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
  TZ: ':UTC',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
};
const bootstrapPath = join(root, 'packages/cloud/dist/services/lambda/runtime/bootstrap.cjs');
async function startProcesses(count) {
  const started = [];
  for (let k = 0; k < count; k++) {
    const process_ = createFunctionProcess({
      nodeBinary: process.execPath,
      bootstrapPath,
      codeDir: src,
      memoryMb: 128,
      env,
      stream: 'bench',
      onLine: () => undefined,
      onExit: () => undefined,
    });
    const ready = await process_.ready;
    if (!ready.ok) throw new Error(`a function process did not start: ${JSON.stringify(ready)}`);
    started.push({
      pid: process_.pid,
      kill: () => process_.kill(),
      run: async (i) => {
        const answer = await process_.run({
          type: 'invoke',
          requestId: String(i),
          event: eventText(i),
          deadlineMs: Date.now() + 25_000,
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:restexpress',
        });
        if (answer.kind !== 'result') throw new Error(`the invocation failed: ${JSON.stringify(answer)}`);
        return answer.payload;
      },
    });
  }
  return started;
}
/** Records a measure of function processes: their CPU per invocation, with the driver's and the rate beside it. */
const recordProcesses = (what, m) =>
  record(`${what} (CPU µs per invocation)`, m.workers, 'µs', '', `the driver ${m.driver.toFixed(0)} µs; ${m.perSecond.toFixed(0)} invocations/s`);
const one = await startProcesses(1);
await measure(one, WARM_LONG);
const single = await measure(one, INVOCATIONS);
one.forEach((w) => w.kill());
recordProcesses('one function process', single);
record('one function process / the handler in this process', single.workers / own.driver, 'ratio');

const ten = await startProcesses(PROCESSES);
await measure(ten, WARM_SHORT);
const tenShort = await measure(ten, INVOCATIONS / PROCESSES);
await measure(ten, WARM_LONG - WARM_SHORT - INVOCATIONS / PROCESSES);
const tenLong = await measure(ten, INVOCATIONS / PROCESSES);
ten.forEach((w) => w.kill());
recordProcesses(`ten function processes after ${WARM_SHORT} invocations each`, tenShort);
recordProcesses(`ten function processes after ${WARM_LONG} invocations each`, tenLong);
record('ten processes (long warm-up) / one process', tenLong.workers / single.workers, 'ratio');
console.log(`load average at the end ${load()}`);
write();
rmSync(work, { recursive: true, force: true });
// The handler's own servers (aws-serverless-express's socket, the app's listen) would keep this process alive.
process.exit(0);
