import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestRuntime, type TestRuntime } from './runtime.test-helper.js';

let rt: TestRuntime;
before(async () => {
  rt = await createTestRuntime();
});
after(async () => {
  await rt[Symbol.asyncDispose]();
});

type ErrorBody = { errorType: string; errorMessage: string; trace?: string[] };

void describe('handler loading', () => {
  void it('loads CommonJS from a nested folder by file.export', async () => {
    await rt.deployCode('nested', { 'src/app.js': 'exports.handler = async (e) => ({ got: e.x, kind: typeof require });' }, { handler: 'src/app.handler' });
    assert.deepEqual((await rt.call('nested', { x: 7 })).body, { got: 7, kind: 'function' });
  });

  void it('loads ES modules: .js under "type": "module", and .mjs', async () => {
    await rt.deployCode('esm', { 'package.json': '{"type":"module"}', 'index.js': 'export const handler = async () => ({ esm: typeof require });' });
    assert.deepEqual((await rt.call('esm')).body, { esm: 'undefined' });
    await rt.deployCode('mjs', { 'index.mjs': 'export async function handler() { return { mjs: import.meta.url.endsWith("index.mjs") }; }' });
    assert.deepEqual((await rt.call('mjs')).body, { mjs: true });
    await rt.deployCode('cjs', { 'package.json': '{"type":"module"}', 'index.cjs': 'module.exports.handler = async () => "cjs";' });
    assert.equal((await rt.call('cjs')).body, 'cjs');
  });

  void it('resolves a nested export path (file.object.method)', async () => {
    await rt.deployCode('deep', { 'index.js': 'exports.api = { v1: { run: async () => 1 } };' }, { handler: 'index.api.v1.run' });
    assert.equal((await rt.call('deep')).body, 1);
  });

  void it("answers init failures with Lambda's Runtime.* error types", async () => {
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      ['missing-file', { 'other.js': '' }, 'Runtime.ImportModuleError', /Cannot find module 'index'/],
      ['missing-export', { 'index.js': 'exports.other = () => 1;' }, 'Runtime.HandlerNotFound', /index\.handler is undefined or not exported/],
      ['not-function', { 'index.js': 'exports.handler = 42;' }, 'Runtime.HandlerNotFound', /index\.handler is not a function/],
      ['syntax', { 'index.js': 'exports.handler = async () => {' }, 'Runtime.UserCodeSyntaxError', /SyntaxError/],
      ['missing-dep', { 'index.js': 'require("not-installed-anywhere"); exports.handler = () => 1;' }, 'Runtime.ImportModuleError', /not-installed-anywhere/],
    ];
    for (const [name, files, errorType, message] of cases) {
      await rt.deployCode(name, files);
      const r = await rt.call(name);
      assert.equal(r.functionError, 'Unhandled', name);
      assert.equal((r.body as ErrorBody).errorType, errorType, name);
      assert.match((r.body as ErrorBody).errorMessage, message, name);
      assert.ok(Array.isArray((r.body as ErrorBody).trace), name);
      assert.match(r.logTail ?? '', new RegExp(`INIT_REPORT Init Duration: [\\d.]+ ms\\tPhase: init\\tStatus: error\\tError Type: ${errorType}\\n`), name);
      assert.match(r.logTail ?? '', new RegExp(`\\tStatus: error\\tError Type: ${errorType}\\n$`), name);
    }
    await assert.rejects(rt.deployCode('no-code', {}, { codeDir: join(rt.dir, 'absent') }), /The code of no-code is not at .*absent/);
    await rt.deployCode('malformed', { 'index.js': '' }, { handler: 'index' });
    assert.equal(((await rt.call('malformed')).body as ErrorBody).errorType, 'Runtime.MalformedHandlerName');
    await rt.deployCode('relative', { 'index.js': '' }, { handler: '../index.handler' });
    assert.equal(((await rt.call('relative')).body as ErrorBody).errorType, 'Runtime.MalformedHandlerName');
  });
});

void describe('calling conventions', () => {
  void it('serialises results as Lambda does: undefined is null', async () => {
    await rt.deployCode('undef', { 'index.js': 'exports.handler = async () => undefined;' });
    const r = await rt.call('undef');
    assert.equal(r.body, null);
    assert.equal(r.functionError, undefined);
  });

  void it('takes an empty payload as {}, and answers a payload that is not JSON with an error, process intact', async () => {
    await rt.deployCode('payloads', { 'index.js': 'exports.handler = async (e) => ({ e, pid: process.pid });' });
    const empty = await rt.invoke('payloads', '', { requestId: 'empty' });
    const { e, pid } = JSON.parse(empty.payload) as { e: unknown; pid: number };
    assert.deepEqual(e, {});
    const bad = await rt.invoke('payloads', '{not json', { requestId: 'bad' });
    assert.equal(bad.functionError, 'Unhandled');
    assert.equal((JSON.parse(bad.payload) as ErrorBody).errorType, 'SyntaxError');
    assert.equal(((await rt.call('payloads')).body as { pid: number }).pid, pid);
  });

  void it("answers a thrown error, a rejection and a non-Error with Lambda's error object", async () => {
    await rt.deployCode('throws', {
      'index.js':
        'class Oops extends Error { constructor(m) { super(m); this.name = "Oops"; } }\nexports.handler = async (e) => { if (e.kind === "string") throw "plain"; throw new Oops("went wrong"); };',
    });
    const r = await rt.call('throws');
    assert.equal(r.functionError, 'Unhandled');
    const body = r.body as ErrorBody;
    assert.equal(body.errorType, 'Oops');
    assert.equal(body.errorMessage, 'went wrong');
    assert.match(body.trace?.[0] ?? '', /^Oops: went wrong/);
    assert.deepEqual((await rt.call('throws', { kind: 'string' })).body, { errorType: 'string', errorMessage: 'plain', trace: [] });
    // The error is logged as Lambda's runtime logs it.
    assert.ok(rt.logs.some((l) => l.message.includes(`${r.requestId}\tERROR\tInvoke Error \t{"errorType":"Oops","errorMessage":"went wrong"`)));
  });

  void it('supports callback handlers, context.succeed/fail/done, and keeps only the first completion', async () => {
    await rt.deployCode('callbacks', {
      'index.js': `exports.handler = (e, context, callback) => {
  if (e.use === 'callback') { callback(null, { via: 'callback' }); callback(null, 'second'); }
  else if (e.use === 'callback-error') callback(new Error('cb failed'));
  else if (e.use === 'succeed') { context.succeed('ok'); context.fail(new Error('ignored')); }
  else if (e.use === 'fail') context.fail(new Error('failed'));
  else if (e.use === 'done') context.done(null, { via: 'done' });
};`,
    });
    assert.deepEqual((await rt.call('callbacks', { use: 'callback' })).body, { via: 'callback' });
    assert.equal(((await rt.call('callbacks', { use: 'callback-error' })).body as ErrorBody).errorMessage, 'cb failed');
    assert.equal((await rt.call('callbacks', { use: 'succeed' })).body, 'ok');
    const failed = await rt.call('callbacks', { use: 'fail' });
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal((failed.body as ErrorBody).errorMessage, 'failed');
    assert.deepEqual((await rt.call('callbacks', { use: 'done' })).body, { via: 'done' });
  });

  void it('waits for an empty event loop after callback() unless callbackWaitsForEmptyEventLoop is false', async () => {
    await rt.deployCode('waits', {
      'index.js': `let flag = 'before';
exports.handler = (e, context, callback) => {
  flag = 'before';
  context.callbackWaitsForEmptyEventLoop = e.wait;
  setTimeout(() => { flag = 'timer ran'; }, 300);
  callback(null, { get flag() { return flag; } });
};`,
    });
    // The result is serialised when it is answered: after the timer when the runtime waits, before it otherwise.
    assert.deepEqual((await rt.call('waits', { wait: true })).body, { flag: 'timer ran' });
    assert.deepEqual((await rt.call('waits', { wait: false })).body, { flag: 'before' });
  });

  void it("gives the context Lambda's fields and getRemainingTimeInMillis()", async () => {
    const spec = await rt.deployCode(
      'context',
      {
        'index.js': `exports.handler = async (e, c) => ({ functionName: c.functionName, functionVersion: c.functionVersion, memoryLimitInMB: c.memoryLimitInMB,
  logGroupName: c.logGroupName, logStreamName: c.logStreamName, invokedFunctionArn: c.invokedFunctionArn, awsRequestId: c.awsRequestId,
  remaining: c.getRemainingTimeInMillis(), waits: c.callbackWaitsForEmptyEventLoop, clientContext: c.clientContext, identity: c.identity });`,
      },
      { memoryMb: 256, timeoutSeconds: 2 },
    );
    const outcome = await rt.invoke('context', '{}', {
      requestId: 'req-context',
      clientContext: '{"custom":{"a":1}}',
      identity: { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityPoolId: 'us-east-1:pool' },
    });
    const c = JSON.parse(outcome.payload) as Record<string, unknown>;
    assert.equal(c.functionName, 'context');
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.memoryLimitInMB, '256');
    assert.equal(c.logGroupName, '/aws/lambda/context');
    assert.match(String(c.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(c.invokedFunctionArn, spec.arn);
    assert.equal(c.awsRequestId, 'req-context');
    assert.ok(Number(c.remaining) > 0 && Number(c.remaining) <= 2000, String(c.remaining));
    assert.equal(c.waits, true);
    assert.deepEqual(c.clientContext, { custom: { a: 1 } });
    assert.deepEqual(c.identity, { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityPoolId: 'us-east-1:pool' });
  });

  void it("starts the function's Node.js as Lambda does: global.gc, 80 KiB headers, the heap sized to its memory unless NODE_OPTIONS sizes it", async () => {
    const code = {
      'index.js': `exports.handler = async () => ({ gc: typeof global.gc, maxHeaderSize: require('http').maxHeaderSize,
  heapMb: Math.round(require('v8').getHeapStatistics().heap_size_limit / 1048576) });`,
    };
    await rt.deployCode('node-options', code, { memoryMb: 128 });
    const plain = (await rt.call('node-options')).body as { gc: string; maxHeaderSize: number; heapMb: number };
    assert.equal(plain.gc, 'function');
    assert.equal(plain.maxHeaderSize, 81920);
    assert.ok(plain.heapMb < 256, `a 128 MB function's heap limit: ${plain.heapMb} MB`);
    await rt.deployCode('own-node-options', code, { memoryMb: 128, environment: { NODE_OPTIONS: '--max-old-space-size=512' } });
    const own = (await rt.call('own-node-options')).body as { gc: string; heapMb: number };
    assert.equal(own.gc, 'function');
    assert.ok(own.heapMb >= 512, `the heap limit its NODE_OPTIONS asks for: ${own.heapMb} MB`);
  });

  void it("sets _X_AMZN_TRACE_ID for each invocation: a new trace, or the caller's Root and Sampled with a new Parent", async () => {
    await rt.deployCode('traced', { 'index.js': 'exports.handler = async () => process.env._X_AMZN_TRACE_ID ?? null;' });
    const TRACE = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;
    const run = async (traceHeader?: string) =>
      JSON.parse((await rt.invoke('traced', '{}', { requestId: `trace-${Math.random()}`, ...(traceHeader ? { traceHeader } : {}) })).payload) as string;
    const fresh = TRACE.exec(await run());
    assert.ok(fresh, 'a trace header of X-Ray form');
    assert.equal(fresh[3], '0');
    assert.ok(Math.abs(parseInt(fresh[1]!.slice(2, 10), 16) - Date.now() / 1000) < 600, 'its Root carries the time in seconds');
    const continued = TRACE.exec(await run('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'));
    assert.equal(continued?.[1], '1-5759e988-bd862e3fe1be46a994272793');
    assert.equal(continued?.[3], '1');
    assert.notEqual(continued?.[2], '53995c3f42cd8ad8', 'a Parent of its own');
    const malformed = TRACE.exec(await run('Root=not-a-trace'));
    assert.ok(malformed, 'a header that names no trace starts a new one, of X-Ray form');
    assert.equal(malformed[3], '0');
  });

  void it("fails a result JSON cannot hold, and one over 6 MB, with Lambda's errors", async () => {
    await rt.deployCode('bad-results', {
      'index.js': `exports.handler = async (e) => {
  if (e.kind === 'circular') { const o = {}; o.self = o; return o; }
  if (e.kind === 'bigint') return { n: 10n };
  if (e.kind === 'big') return 'x'.repeat(6291556);
  return 'x'.repeat(6291556 - 2);
};`,
    });
    for (const kind of ['circular', 'bigint']) {
      const r = await rt.call('bad-results', { kind });
      assert.equal(r.functionError, 'Unhandled');
      assert.equal((r.body as ErrorBody).errorMessage, 'Unable to stringify response body', kind);
    }
    const big = await rt.call('bad-results', { kind: 'big' });
    assert.equal(big.functionError, 'Unhandled');
    assert.deepEqual(big.body, {
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    // Exactly 6291556 bytes of JSON (the quotes included) is still allowed.
    const max = await rt.call('bad-results', { kind: 'max' });
    assert.equal(max.functionError, undefined);
    assert.equal((max.body as string).length, 6291556 - 2);
  });

  void it('refuses a handler declared with 3 parameters on nodejs24.x, as the Node.js 24 runtime does', async () => {
    // A cached "Node.js 24" that is this machine's node: the check reads the runtime, not the binary.
    const bin = join(rt.dir, 'cache', 'node', '24.0.0', 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    const files = { 'index.js': 'exports.handler = (e, c, cb) => cb(null, "called back"); exports.modern = async (e, c) => "async";' };
    await rt.deployCode('node24', files, { runtime: 'nodejs24.x' });
    const refused = await rt.call('node24');
    assert.equal((refused.body as ErrorBody).errorType, 'Runtime.CallbackHandlerDeprecated');
    assert.match((refused.body as ErrorBody).errorMessage, /removed support for callback-based function handlers starting with Node\.js 24/);
    await rt.deployCode('node24-async', files, { runtime: 'nodejs24.x', handler: 'index.modern' });
    assert.equal((await rt.call('node24-async')).body, 'async');
    await rt.deployCode('node22', files);
    assert.equal((await rt.call('node22')).body, 'called back');
  });
});
