import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { FUNCTIONS } from '@forte/cloud';
import { deployFunction, filledSdkCache, lambdaClient, makeTempDir, startLambdaCloud } from './index.js';

/** Appends one line per attempt to a file, and fails until it has run `FAILURES` times. */
const COUNTING = `const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.ATTEMPTS_FILE, JSON.stringify(event) + '\\n');
  const attempts = fs.readFileSync(process.env.ATTEMPTS_FILE, 'utf8').trim().split('\\n').length;
  if (attempts <= Number(process.env.FAILURES)) throw new Error('attempt ' + attempts + ' fails');
  return 'done';
};`;

/** Hangs on its first run (longer than a test waits), answers at once afterwards. */
const SLOW_FIRST = `const fs = require('node:fs');
exports.handler = async () => {
  fs.appendFileSync(process.env.ATTEMPTS_FILE, 'run\\n');
  if (fs.readFileSync(process.env.ATTEMPTS_FILE, 'utf8').trim().split('\\n').length === 1) await new Promise((r) => setTimeout(r, 25000));
  return 'done';
};`;

const attemptsIn = async (file: string): Promise<number> => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void describe('Event invocations', () => {
  void it('run in the background and are retried twice after a function error, then dropped', async () => {
    const dir = await makeTempDir('forte-fn-events');
    await using cloud = await startLambdaCloud();
    const lambda = lambdaClient(cloud);
    await deployFunction(cloud, { name: 'flaky', files: { 'index.js': COUNTING }, variables: { ATTEMPTS_FILE: join(dir, 'flaky'), FAILURES: '1' } });
    await deployFunction(cloud, { name: 'broken', files: { 'index.js': COUNTING }, variables: { ATTEMPTS_FILE: join(dir, 'broken'), FAILURES: '99' } });
    await deployFunction(cloud, { name: 'fine', files: { 'index.js': COUNTING }, variables: { ATTEMPTS_FILE: join(dir, 'fine'), FAILURES: '0' } });
    for (const FunctionName of ['flaky', 'broken', 'fine']) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, InvocationType: 'Event', Payload: JSON.stringify({ n: FunctionName }) }));
      assert.equal(out.StatusCode, 202);
    }
    await waitFor('the retries', async () => (await attemptsIn(join(dir, 'broken'))) === 3 && (await attemptsIn(join(dir, 'flaky'))) === 2);
    const pending = async () => (await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n;
    await waitFor('the queue to empty', async () => (await pending()) === 0);
    await new Promise((resolve) => setTimeout(resolve, 600)); // longer than the retry delays: nothing more runs
    assert.equal(await attemptsIn(join(dir, 'broken')), 3, 'one attempt and two retries');
    assert.equal(await attemptsIn(join(dir, 'flaky')), 2, 'a retry that succeeds ends it');
    assert.equal(await attemptsIn(join(dir, 'fine')), 1);
    assert.equal((await readFile(join(dir, 'fine'), 'utf8')).trim(), '{"n":"fine"}');
    lambda.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  void it('with one ordering key run one at a time in order: a retry holds back the ones queued after it', async () => {
    const dir = await makeTempDir('forte-fn-ordered');
    await using cloud = await startLambdaCloud();
    const file = join(dir, 'attempts');
    await deployFunction(cloud, { name: 'flaky', files: { 'index.js': COUNTING }, variables: { ATTEMPTS_FILE: file, FAILURES: '1' } });
    const functions = cloud.kernel.capability(FUNCTIONS);
    for (const n of [1, 2, 3]) await functions.invoke('flaky', JSON.stringify({ n }), { invocationType: 'Event', orderingKey: 'bucket/key' });
    await waitFor('every invocation', async () => (await attemptsIn(file)) === 4);
    const runs = (await readFile(file, 'utf8')).trim().split('\n');
    assert.deepEqual(runs, ['{"n":1}', '{"n":1}', '{"n":2}', '{"n":3}'], 'the first one failed once and was retried before the others ran');
    await rm(dir, { recursive: true, force: true });
  });

  void it('survive a restart of the cloud: pending ones run at the next start', async () => {
    const dir = await makeTempDir('forte-fn-restart');
    const dataDir = await makeTempDir('forte-fn-restart-data');
    const cacheDir = await filledSdkCache();
    const file = join(dir, 'attempts');
    {
      // A long retry delay: the retry is still queued when the cloud stops.
      await using cloud = await startLambdaCloud({ dataDir, cacheDir, lambda: { eventRetryDelaysSeconds: [2, 2] } });
      await deployFunction(cloud, { name: 'flaky', files: { 'index.js': COUNTING }, variables: { ATTEMPTS_FILE: file, FAILURES: '1' } });
      const lambda = lambdaClient(cloud);
      await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: '{"survives":true}' }));
      lambda.destroy();
      await waitFor('the first attempt', async () => (await attemptsIn(file)) === 1);
    }
    assert.equal(await attemptsIn(file), 1, 'the retry had not run when the cloud stopped');
    {
      await using cloud = await startLambdaCloud({ dataDir, cacheDir, lambda: { eventRetryDelaysSeconds: [2, 2] } });
      await waitFor('the retry after the restart', async () => (await attemptsIn(file)) === 2);
      const left = async () => (await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n;
      await waitFor('the queue to empty', async () => (await left()) === 0);
    }
    assert.equal((await readFile(file, 'utf8')).trim().split('\n')[1], '{"survives":true}');

    // An invocation under way when the cloud stops does not hold the stop up, and runs again at the next start.
    const slowFile = join(dir, 'slow');
    {
      await using cloud = await startLambdaCloud({ dataDir, cacheDir });
      await deployFunction(cloud, { name: 'slow', files: { 'index.js': SLOW_FIRST }, variables: { ATTEMPTS_FILE: slowFile } });
      const lambda = lambdaClient(cloud);
      await lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: '{}' }));
      lambda.destroy();
      await waitFor('the slow run to start', async () => (await attemptsIn(slowFile)) === 1);
      const stopping = Date.now();
      await cloud.close();
      assert.ok(Date.now() - stopping < 10_000, 'the stop does not wait for the function');
    }
    {
      await using cloud = await startLambdaCloud({ dataDir, cacheDir });
      await waitFor('the run again after the restart', async () => (await attemptsIn(slowFile)) === 2);
      const left = async () => (await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n;
      await waitFor('the queue to empty', async () => (await left()) === 0);
    }
    await rm(dir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });
});
