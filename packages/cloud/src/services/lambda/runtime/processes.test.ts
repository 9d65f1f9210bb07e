import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { FunctionNotDeployedError, TooManyRequestsError } from './errors.js';
import { locateBootstrap } from './locate-bootstrap.js';
import { createTestRuntime } from './runtime.test-helper.js';

// An invocation given a `gate` URL calls it and holds until the test releases it: the test knows that the
// invocation runs and decides when it ends, whatever the machine's load, instead of guessing with sleeps.
const SLEEPY = `const hold = (url) => new Promise((resolve, reject) =>
  require('http').get(url, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
exports.handler = async (e) => {
  const started = Date.now();
  if (e.gate) await hold(e.gate);
  return { pid: process.pid, started, ended: Date.now(), version: process.env.VERSION };
};`;
type Slept = { pid: number; started: number; ended: number; version?: string };
/** A held invocation must not time out while a loaded machine starts other processes. */
const HELD = { timeoutSeconds: 120 };

interface Gate {
  url: string;
  /** Resolves once `count` invocations have called in and are held (so all of them run at once). */
  arrivals(count: number): Promise<void>;
  /** Answers every invocation held so far. */
  release(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** An HTTP endpoint that held invocations call; each waits for its answer until `release()`. */
async function createGate(): Promise<Gate> {
  const held: ServerResponse[] = [];
  let arrived = 0;
  let onArrival = (): void => undefined;
  const server = createServer((_req, res) => {
    held.push(res);
    arrived += 1;
    onArrival();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = (): void => {
    for (const res of held.splice(0)) res.end('go');
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrivals: (count) =>
      new Promise((resolve, reject) => {
        // Generous: the invocations only need their processes started, which a loaded machine does slowly.
        const timer = setTimeout(() => reject(new Error(`only ${arrived} of ${count} invocations were running after 60 s`)), 60_000);
        onArrival = () => {
          if (arrived < count) return;
          clearTimeout(timer);
          resolve();
        };
        onArrival();
      }),
    release,
    async [Symbol.asyncDispose]() {
      release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Whether the process is gone within `ms` (a killed child lingers until the cloud reaps it). */
const goneWithin = async (pid: number, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (!alive(pid)) return true;
  return !alive(pid);
};

void describe('processes', () => {
  void it('reuses a warm process, runs parallel invocations in parallel processes, and refuses past the limits', async () => {
    await using rt = await createTestRuntime({ concurrencyLimit: 3 });
    await using gate = await createGate();
    await rt.deployCode('sleepy', { 'index.js': SLEEPY }, { reservedConcurrency: 2, ...HELD });
    const first = (await rt.call('sleepy')).body as Slept;
    const second = (await rt.call('sleepy')).body as Slept;
    assert.equal(second.pid, first.pid, 'a warm process is reused');

    const a = rt.call('sleepy', { gate: gate.url });
    const b = rt.call('sleepy', { gate: gate.url });
    await assert.rejects(
      rt.call('sleepy'),
      (e: unknown) => e instanceof TooManyRequestsError && e.reason === 'ReservedFunctionConcurrentInvocationLimitExceeded',
    );
    // Both run at once (held until released), so they run in parallel processes.
    await gate.arrivals(2);
    await rt.deployCode('other', { 'index.js': SLEEPY }, HELD);
    const c = rt.call('other', { gate: gate.url });
    await assert.rejects(rt.call('other'), (e: unknown) => e instanceof TooManyRequestsError && e.reason === 'ConcurrentInvocationLimitExceeded');
    await gate.arrivals(3);
    gate.release();
    const [ra, rb] = [(await a).body as Slept, (await b).body as Slept];
    await c;
    assert.notEqual(ra.pid, rb.pid, 'parallel invocations run in different processes');
    assert.ok(ra.started < rb.ended && rb.started < ra.ended, 'parallel invocations overlap in time');
    assert.ok([ra.pid, rb.pid].includes(first.pid));
    // Both processes are warm now: two more parallel invocations start nothing new.
    const again = await Promise.all([rt.call('sleepy'), rt.call('sleepy')]);
    assert.deepEqual(again.map((r) => (r.body as Slept).pid).sort(), [ra.pid, rb.pid].sort());
    await assert.rejects(rt.invoke('nothing', '{}', { requestId: 'x' }), FunctionNotDeployedError);
  });

  void it("gives each process its ports as Lambda does: a module that listens on a fixed port (Amplify's Express template) runs in parallel processes", async () => {
    await using rt = await createTestRuntime();
    const code = `const server = require('http').createServer().listen(3000);
const app = require('http').createServer().listen({ port: 3001, host: '127.0.0.1' });
exports.handler = async (e) => {
  await new Promise((resolve) => setTimeout(resolve, e.ms ?? 0));
  return { pid: process.pid, ports: [server.address().port, app.address().port] };
};`;
    await rt.deployCode('express-like', { 'index.js': code });
    await rt.deployCode('express-like-too', { 'index.js': code });
    const answers = await Promise.all([rt.call('express-like', { ms: 500 }), rt.call('express-like', { ms: 500 }), rt.call('express-like-too', { ms: 500 })]);
    const bodies = answers.map((a) => a.body as { pid: number; ports: number[] } & { errorType?: string });
    for (const body of bodies) assert.equal(body.errorType, undefined, JSON.stringify(body));
    assert.equal(new Set(bodies.map((b) => b.pid)).size, 3, 'three processes');
    assert.equal(new Set(bodies.flatMap((b) => b.ports)).size, 6, 'each listening on ports of its own');
  });

  void it('retires the process of an old revision once its invocation ends, while the new revision runs in a process of its own', async () => {
    // Idle processes are kept long here, so that only the retirement can stop the old one.
    await using rt = await createTestRuntime();
    await using gate = await createGate();
    const spec = await rt.deployCode('revisions', { 'index.js': SLEEPY }, { environment: { VERSION: 'one' }, ...HELD });
    const warm = (await rt.call('revisions')).body as Slept;
    const slow = rt.call('revisions', { gate: gate.url });
    await gate.arrivals(1);
    await rt.deploy({ ...spec, environment: { VERSION: 'two' }, revision: 'second' });
    const during = (await rt.call('revisions')).body as Slept;
    assert.equal(during.version, 'two');
    assert.notEqual(during.pid, warm.pid);
    gate.release();
    const old = (await slow).body as Slept;
    assert.equal(old.version, 'one', 'the in-flight invocation finished on the old revision');
    assert.equal(old.pid, warm.pid);
    assert.ok(await goneWithin(old.pid, 30_000), "the old revision's process was stopped once its invocation ended");
    const after = (await rt.call('revisions')).body as Slept;
    assert.equal(after.version, 'two');
    assert.equal(after.pid, during.pid, "the new revision's process is warm");
    await rt.remove('revisions');
    assert.ok(await goneWithin(after.pid, 30_000), 'a removed function leaves no process');
    await assert.rejects(rt.call('revisions'), FunctionNotDeployedError);
  });

  void it('stops a process left idle for idleSeconds, and starts a new one for the next invocation', async () => {
    await using rt = await createTestRuntime({ idleSeconds: 1 });
    await rt.deployCode('idle', { 'index.js': SLEEPY });
    const used = (await rt.call('idle')).body as Slept;
    // The idle timer starts as the invocation ends, in the same turn of the event loop as this check.
    const idleSince = Date.now();
    assert.ok(alive(used.pid), 'a process that just answered is kept warm');
    assert.ok(await goneWithin(used.pid, 30_000), 'the idle process was stopped');
    // Load only delays the stop; a stop sooner than idleSeconds is wrong (a little slack for timer rounding).
    assert.ok(Date.now() - idleSince >= 950, `kept for ${Date.now() - idleSince} ms, not the idle second`);
    assert.notEqual(((await rt.call('idle')).body as Slept).pid, used.pid);
  });

  void it('retires a process after maxInvocationsPerProcess invocations (each leaves its trace header in libc for good): the next starts a fresh one', async () => {
    await using rt = await createTestRuntime({ maxInvocationsPerProcess: 3 });
    await rt.deployCode('retired', { 'index.js': SLEEPY });
    const pids = [];
    for (let i = 0; i < 4; i++) pids.push(((await rt.call('retired')).body as Slept).pid);
    assert.deepEqual(pids.slice(1, 3), [pids[0], pids[0]], 'warm until its third invocation');
    assert.notEqual(pids[3], pids[0], 'the fourth runs in a new process');
    assert.ok(await goneWithin(pids[0]!, 30_000), 'the retired process was stopped');
    assert.equal(rt.logs.filter((l) => l.message.startsWith('INIT_START')).length, 2, 'a new environment, logged as one');
  });

  void it("gives the process only Lambda's environment, never the cloud's", async () => {
    process.env.FORTE_SECRET_KEY = 'cloud-secret-never-shown';
    await using rt = await createTestRuntime();
    const layer = join(rt.dir, 'layer');
    const node = `node${process.versions.node.split('.')[0]}`;
    await mkdir(join(layer, 'nodejs', 'node_modules', 'from-layer'), { recursive: true });
    await writeFile(join(layer, 'nodejs', 'node_modules', 'from-layer', 'index.js'), 'module.exports = "layer";');
    await mkdir(join(layer, 'nodejs', node, 'node_modules', 'shared'), { recursive: true });
    await writeFile(join(layer, 'nodejs', node, 'node_modules', 'shared', 'index.js'), 'module.exports = "layer-versioned";');
    const spec = await rt.deployCode(
      'env',
      {
        'index.js': 'exports.handler = async () => ({ env: process.env, cwd: process.cwd(), layer: require("from-layer"), shared: require("shared") });',
        'node_modules/shared/index.js': 'module.exports = "own";',
      },
      { environment: { TABLE: 'todos', AWS_REGION: 'us-east-1' }, layerDirs: [layer], memoryMb: 256 },
    );
    delete process.env.FORTE_SECRET_KEY;
    const { env, cwd, layer: fromLayer, shared } = (await rt.call('env')).body as { env: Record<string, string>; cwd: string; layer: string; shared: string };
    assert.equal(cwd, spec.codeDir);
    assert.equal(fromLayer, 'layer');
    assert.equal(shared, 'own', "the function's own node_modules win over layers");
    assert.deepEqual(Object.keys(env).sort(), [
      'AWS_EXECUTION_ENV',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_INITIALIZATION_TYPE',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_LAMBDA_LOG_STREAM_NAME',
      'AWS_REGION',
      'LAMBDA_RUNTIME_DIR',
      'LAMBDA_TASK_ROOT',
      'LANG',
      'NODE_PATH',
      'PATH',
      'TABLE',
      'TZ',
      '_HANDLER',
      // Set by the runtime for each invocation, as Lambda's is.
      '_X_AMZN_TRACE_ID',
    ]);
    assert.ok(!JSON.stringify(env).includes('cloud-secret-never-shown'));
    assert.equal(env.TABLE, 'todos');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env');
    assert.equal(env.AWS_EXECUTION_ENV, `AWS_Lambda_${spec.runtime}`);
    assert.equal(env.LAMBDA_TASK_ROOT, spec.codeDir);
    assert.equal(env._HANDLER, 'index.handler');
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.deepEqual(env.NODE_PATH?.split(':'), [
      join(layer, 'nodejs', node, 'node_modules'),
      join(layer, 'nodejs', 'node_modules'),
      join(rt.dir, 'cache', 'aws-sdk', node, 'node_modules'),
    ]);
    assert.equal(rt.logs.find((l) => l.message.startsWith('START'))?.stream, env.AWS_LAMBDA_LOG_STREAM_NAME);
  });

  void it("writes the function's lines and Lambda's own to one stream per process, and tails the last 4 KB", async () => {
    await using rt = await createTestRuntime();
    await rt.deployCode('logs', {
      'index.js': `console.log('loading');
exports.handler = async (e) => {
  console.log('two\\nlines', { n: 1 }); console.info('info'); console.warn('warn'); console.error('error'); console.debug('debug');
  process.stdout.write('raw out\\n'); process.stderr.write('raw err\\n');
  if (e.lots) for (let i = 0; i < 200; i++) console.log('line ' + i);
  if (e.huge) process.stdout.write('h'.repeat(600 * 1024) + '\\n');
  if (e.partial) { process.stdout.write('é'.repeat(100000)); process.stderr.write(Buffer.from('ü, no newline')); }
  return 'ok';
};`,
    });
    const first = await rt.call('logs');
    const id = first.requestId;
    // A new environment's stream opens with Lambda's INIT_START line (the log stream only, not the tail).
    const [initStart, ...messages] = rt.logs.filter((l) => l.functionName === 'logs').map((l) => l.message);
    const major = process.versions.node.split('.')[0]!;
    assert.match(
      initStart ?? '',
      new RegExp(`^INIT_START Runtime Version: nodejs:${major}\\.v\\d+\\tRuntime Version ARN: arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$`),
    );
    const ts = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
    assert.match(messages[0] ?? '', new RegExp(`^${ts}\\tundefined\\tINFO\\tloading$`));
    assert.equal(messages[1], `START RequestId: ${id} Version: $LATEST`);
    assert.match(messages[2] ?? '', new RegExp(`^${ts}\\t${id}\\tINFO\\ttwo\\rlines { n: 1 }$`));
    for (const [i, level] of ['INFO', 'WARN', 'ERROR', 'DEBUG'].entries())
      assert.match(messages[3 + i] ?? '', new RegExp(`\\t${id}\\t${level}\\t${level.toLowerCase()}$`));
    assert.ok(messages.includes('raw out') && messages.includes('raw err'));
    assert.equal(messages.at(-2), `END RequestId: ${id}`);
    assert.match(
      messages.at(-1) ?? '',
      new RegExp(
        `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms$`,
      ),
    );
    assert.equal(new Set(rt.logs.map((l) => l.stream)).size, 1);
    assert.match(rt.logs[0]?.stream ?? '', /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(first.logTail, `${messages.join('\n')}\n`);

    const warm = await rt.call('logs', { lots: true });
    const tail = warm.logTail ?? '';
    assert.ok(Buffer.byteLength(tail) <= 4096 && Buffer.byteLength(tail) > 3500);
    // A raw process.stderr write comes through a pipe of its own: it precedes END, in no fixed place among stdout's lines.
    assert.match(
      tail.replace('raw err\n', ''),
      new RegExp(`line 199\\nEND RequestId: ${warm.requestId}\\nREPORT RequestId: ${warm.requestId}\\tDuration: [^\\n]*Max Memory Used: \\d+ MB\\n$`),
    );
    assert.ok(!tail.includes('Init Duration'), 'a warm invocation reports no init');
    assert.equal(rt.logs.filter((l) => l.functionName === 'logs' && l.message.startsWith('INIT_START')).length, 1, 'a warm invocation starts no environment');
    assert.ok(!tail.includes(id), "another invocation's lines are not in the tail");

    // A line longer than Lambda's 256 KB event limit arrives in parts.
    const count = rt.logs.length;
    await rt.call('logs', { huge: true });
    const parts = rt.logs.slice(count).filter((l) => l.message.startsWith('hhh'));
    assert.deepEqual(
      parts.map((l) => l.message.length),
      [256 * 1024, 256 * 1024, 88 * 1024],
    );

    // What an invocation prints without a final newline is its own line, before END: the process tells how many
    // bytes it wrote, and multi-byte characters split across reads are whole.
    const before = rt.logs.length;
    const partial = await rt.call('logs', { partial: true });
    const lines = rt.logs.slice(before).map((l) => l.message);
    const end = lines.indexOf(`END RequestId: ${partial.requestId}`);
    assert.ok(end > 0);
    assert.ok(lines.slice(0, end).includes('é'.repeat(100000)), 'the partial stdout line precedes END');
    assert.ok(lines.slice(0, end).includes('ü, no newline'), 'the partial stderr line precedes END');
  });

  void it('finds its bootstrap next to the compiled modules and from the bundle in dist/bundle/', () => {
    const here = new URL('./function-runtime.js', import.meta.url).href;
    const dist = new URL('../../../', import.meta.url);
    assert.equal(locateBootstrap(here), new URL('./bootstrap.cjs', import.meta.url).pathname);
    assert.equal(locateBootstrap(pathToFileURL(join(dist.pathname, 'bundle', 'forte-cloud.cjs')).href), new URL('./bootstrap.cjs', import.meta.url).pathname);
    assert.throws(() => locateBootstrap(pathToFileURL('/nonexistent/dir/x.js').href), /npm run build/);
  });
});
