import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestRuntime, type TestRuntime } from './runtime.test-helper.js';

let rt: TestRuntime;
before(async () => {
  rt = await createTestRuntime();
});
after(async () => {
  await rt[Symbol.asyncDispose]();
});

type ErrorBody = { errorType: string; errorMessage: string; trace?: string[] };

const run = promisify(execFile);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const goneWithin = async (pid: number, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (!alive(pid)) return true;
  return !alive(pid);
};

const FAILURES = `exports.handler = async (e) => {
  if (e.do === 'pid') return process.pid;
  if (e.do === 'exit') { if (e.leave) console.log('left ' + require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }).pid); process.exit(1); }
  if (e.do === 'signal') process.kill(process.pid, 'SIGSEGV');
  if (e.do === 'uncaught') { setTimeout(() => { throw new Error('late boom'); }, 10); return new Promise(() => {}); }
  if (e.do === 'rejection') { Promise.reject(new Error('nobody catches')); return new Promise(() => {}); }
  if (e.do === 'loop') { console.log('spinning'); for (;;) {} }
  if (e.do === 'never') return new Promise(() => {});
  if (e.do === 'spawn') { const c = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); return new Promise(() => {}); }
  if (e.do === 'memory') { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); }
};
exports.callbackNever = (e, context, callback) => {};`;

void describe('limits and crashes', () => {
  void it("kills an infinite loop at the timeout with Lambda's error and log line, while the cloud keeps serving", async () => {
    await rt.deployCode('loop', { 'index.js': FAILURES }, { timeoutSeconds: 2 });
    const server = createServer((_req, res) => res.end('still serving'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      let settled = false;
      const invocation = rt.call('loop', { do: 'loop' }).finally(() => (settled = true));
      while (!rt.logs.some((l) => l.message.endsWith('\tspinning'))) await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      assert.equal(answer, 'still serving');
      assert.equal(settled, false, 'the cloud answered while the function was still spinning');
      const r = await invocation;
      assert.equal(r.functionError, 'Unhandled');
      assert.deepEqual(r.body, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 2.00 seconds` });
      assert.match(r.logTail ?? '', new RegExp(`\\n\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${r.requestId} Task timed out after 2\\.00 seconds\\n`));
      assert.match(
        r.logTail ?? '',
        /REPORT RequestId: \S+\tDuration: 2000\.00 ms\tBilled Duration: 2000 ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\tStatus: timeout\n$/,
      );
    } finally {
      server.close();
    }
  });

  void it('times out a handler that never completes (promise never settles, callback never called)', async () => {
    await rt.deployCode('never', { 'index.js': FAILURES }, { timeoutSeconds: 1 });
    assert.equal(((await rt.call('never', { do: 'never' })).body as ErrorBody).errorType, 'Sandbox.Timedout');
    await rt.deployCode('callback-never', { 'index.js': FAILURES }, { timeoutSeconds: 1, handler: 'index.callbackNever' });
    assert.equal(((await rt.call('callback-never')).body as ErrorBody).errorType, 'Sandbox.Timedout');
  });

  void it('answers process.exit() and a crash signal with Runtime.ExitError, and starts a fresh process next time', async () => {
    await rt.deployCode('exits', { 'index.js': FAILURES });
    const pid = (await rt.call('exits', { do: 'pid' })).body;
    const exited = await rt.call('exits', { do: 'exit' });
    assert.equal(exited.functionError, 'Unhandled');
    assert.deepEqual(exited.body, {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exited.requestId} Error: Runtime exited with error: exit status 1`,
    });
    assert.match(
      exited.logTail ?? '',
      /Runtime exited with error: exit status 1\nRuntime\.ExitError\nEND RequestId: .*\nREPORT .*\tStatus: error\tError Type: Runtime\.ExitError\n$/,
    );
    const leaving = await rt.call('exits', { do: 'exit', leave: true });
    const left = Number(/left (\d+)/.exec(leaving.logTail ?? '')?.[1]);
    assert.ok(left > 0 && (await goneWithin(left, 2000)), 'what an exited process left behind is stopped');
    const fresh = (await rt.call('exits', { do: 'pid' })).body;
    assert.notEqual(fresh, pid);
    const crashed = await rt.call('exits', { do: 'signal' });
    assert.deepEqual(crashed.body, {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: signal: segmentation fault (core dumped)`,
    });
    assert.notEqual((await rt.call('exits', { do: 'pid' })).body, fresh);
  });

  void it('fails the invocation with an uncaught exception or unhandled rejection outside the handler, then replaces the process', async () => {
    await rt.deployCode('uncaught', { 'index.js': FAILURES });
    const pid = (await rt.call('uncaught', { do: 'pid' })).body;
    const thrown = await rt.call('uncaught', { do: 'uncaught' });
    assert.equal(thrown.functionError, 'Unhandled');
    assert.equal((thrown.body as ErrorBody).errorType, 'Error');
    assert.equal((thrown.body as ErrorBody).errorMessage, 'late boom');
    const pid2 = (await rt.call('uncaught', { do: 'pid' })).body;
    assert.notEqual(pid2, pid);
    const rejected = await rt.call('uncaught', { do: 'rejection' });
    assert.equal((rejected.body as ErrorBody).errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal((rejected.body as ErrorBody).errorMessage, 'Error: nobody catches');
    assert.notEqual((await rt.call('uncaught', { do: 'pid' })).body, pid2);
  });

  void it('stops what a timed-out function started, and functions whose cloud is gone', async () => {
    await rt.deployCode('spawner', { 'index.js': FAILURES }, { timeoutSeconds: 1 });
    const r = await rt.call('spawner', { do: 'spawn' });
    assert.equal((r.body as ErrorBody).errorType, 'Sandbox.Timedout');
    const grandchild = Number(/grandchild (\d+)/.exec(r.logTail ?? '')?.[1]);
    assert.ok(grandchild > 0);
    assert.ok(await goneWithin(grandchild, 2000), 'the process the function started was stopped with it');

    // A cloud that dies without close() leaves no function process behind.
    const script = `import { createFunctionRuntime } from ${JSON.stringify(new URL('./function-runtime.js', import.meta.url).href)};
const rt = createFunctionRuntime({ cacheDir: ${JSON.stringify(rt.dir)}, onLog: () => {}, allowDownloads: false });
await rt.deploy(${JSON.stringify({ name: 'orphan', arn: 'arn', codeDir: rt.dir, handler: 'orphan.handler', runtime: `nodejs${process.versions.node.split('.')[0]}.x`, memoryMb: 128, timeoutSeconds: 3, environment: {}, layerDirs: [], revision: '1' })});
console.log((await rt.invoke('orphan', '{}', { requestId: 'r' })).payload);
process.exit(0);`;
    await writeFile(
      join(rt.dir, 'orphan.cjs'),
      "exports.handler = async () => ({ pid: process.pid, grandchild: require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }).pid });",
    );
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    const orphan = JSON.parse(stdout.trim()) as { pid: number; grandchild: number };
    assert.ok(orphan.pid > 0 && orphan.grandchild > 0, stdout);
    assert.ok(await goneWithin(orphan.pid, 3000), 'the function process exited with its cloud');
    assert.ok(await goneWithin(orphan.grandchild, 3000), 'and so did the process it started');
  });

  void it('stops what a function started when the cloud stops, and when the function exits on its own', async () => {
    const own = await createTestRuntime();
    const code = `const { spawn } = require('child_process');
exports.handler = async (e) => {
  // A shell that starts a sleep of its own: two generations below the function.
  const shell = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const sleep = await new Promise((resolve) => shell.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  if (e.exit) setTimeout(() => process.exit(0), 50);
  return { shell: shell.pid, sleep };
};`;
    let started: { shell: number; sleep: number };
    try {
      await own.deployCode('starter', { 'index.js': code });
      started = (await own.call('starter')).body as { shell: number; sleep: number };
      assert.ok(alive(started.shell) && alive(started.sleep));
    } finally {
      await own[Symbol.asyncDispose]();
    }
    assert.ok(await goneWithin(started.shell, 2000), 'the shell the function started was stopped with the cloud');
    assert.ok(await goneWithin(started.sleep, 2000), 'and so was the process the shell started');

    await rt.deployCode('exiter', { 'index.js': code });
    const exiting = (await rt.call('exiter', { exit: true })).body as { shell: number; sleep: number };
    assert.ok(await goneWithin(exiting.shell, 3000), 'what a function that exited on its own started was stopped');
    assert.ok(await goneWithin(exiting.sleep, 3000));
  });

  void it('kills a function that exhausts its memory with Runtime.OutOfMemory', async () => {
    await rt.deployCode('memory', { 'index.js': FAILURES }, { timeoutSeconds: 20 });
    const r = await rt.call('memory', { do: 'memory' });
    assert.equal(r.functionError, 'Unhandled');
    assert.equal((r.body as ErrorBody).errorType, 'Runtime.OutOfMemory');
    assert.match((r.body as ErrorBody).errorMessage, /^RequestId: \S+ Error: Runtime exited with error: signal: /);
    assert.match(r.logTail ?? '', /Max Memory Used: 12[0-8] MB/);
    assert.equal(typeof (await rt.call('memory', { do: 'pid' })).body, 'number');
  });

  void it('reads its peak memory at most once per 100 ms, and still reports growth in Max Memory Used', async () => {
    // The handler counts the bootstrap's getrusage calls (it calls process.resourceUsage, which the code wraps).
    const code = `let reads = 0;
const original = process.resourceUsage;
process.resourceUsage = function () { reads += 1; return original.apply(this, arguments); };
let kept;
exports.handler = async (e) => {
  if (e.allocateMb) kept = Buffer.alloc(e.allocateMb * 1024 * 1024, 1);
  return reads;
};`;
    await rt.deployCode('peak', { 'index.js': code });
    await rt.call('peak');
    const started = performance.now();
    let reads = 0;
    for (let i = 0; i < 30; i++) reads = (await rt.call('peak')).body as number;
    const elapsedMs = performance.now() - started;
    // Once per invocation would be 30 more reads; the bound allows one per 100 ms that passed, and the first.
    assert.ok(reads <= 2 + Math.ceil(elapsedMs / 100), `${reads} reads of peak memory in ${elapsedMs.toFixed(0)} ms for 31 invocations`);
    const report = (tail: string | undefined) => Number(/Max Memory Used: (\d+) MB/.exec(tail ?? '')?.[1]);
    const before = report((await rt.call('peak')).logTail);
    await rt.call('peak', { allocateMb: 40 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const grown = report((await rt.call('peak')).logTail);
    assert.ok(grown >= before + 30, `Max Memory Used went from ${before} to ${grown} MB after 40 MB were allocated`);
  });
});
