import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createControlService, createSsmService, ENVIRONMENT_CLEANUPS, provide, type Kernel, type Service } from '@forte/cloud';
import { createTestControlClient } from './control-client.js';
import { makeTempDir } from './make-temp-dir.js';
import { dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
import { startTestCloud } from './start-test-cloud.js';

// Two instances on one PostgreSQL database. A deletes an environment, but dropping what the environment kept
// outside its resources (its SSM parameters) fails there; A stops. B finishes the cleanup A left pending.
const server = await testPostgres();
const SWEEP_MS = 200;

/** On A, the environment's cleanup fails, as if A died before it ran. */
const failingCleanup = (_kernel: Kernel): Service => ({
  name: 'failing-cleanup',
  routes: [],
  provides: [
    provide(ENVIRONMENT_CLEANUPS, () => {
      throw new Error('this instance stops before it drops anything');
    }),
  ],
});

void describe('environment cleanups on a cluster (PostgreSQL)', { skip: server.ok ? false : server.reason }, () => {
  void it('finishes on another instance the cleanup of a deleted environment the deleting instance left pending', async () => {
    const dataDir = await makeTempDir('forte-cluster-cleanups');
    const database = postgresTestUrl();
    after(async () => {
      await dropTestSchema(database);
      await rm(dataDir, { recursive: true, force: true });
    });
    const common = { dataDir, database, environmentCleanupIntervalMs: SWEEP_MS };
    const a = await startTestCloud({ ...common, services: [createControlService, failingCleanup] });
    after(() => a.close());
    // A holds the sweep's lease (it started first) before B starts: B can take it only once A stopped.
    for (let i = 0; i < 200 && !(await a.kernel.sql.get("SELECT 1 AS held FROM cluster_leases WHERE name = 'control-environment-cleanups'")); i++) {
      await sleep(25);
    }
    await using b = await startTestCloud({ ...common, services: [createControlService, createSsmService], publicUrl: a.url });
    const viaA = createTestControlClient(a);
    const ssm = new SSMClient({ endpoint: b.url, region: 'us-east-1', credentials: b.credentials, maxAttempts: 1 });
    const namesUnder = async (Path: string): Promise<string[]> =>
      ((await ssm.send(new GetParametersByPathCommand({ Path, Recursive: true }))).Parameters ?? []).map((p) => p.Name!);

    const { app } = await viaA.call('CreateApp', { name: 'cleanups' });
    await viaA.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const secret = `/amplify/${app.appId}/dev/AMPLIFY_fn_TOKEN`;
    await ssm.send(new PutParameterCommand({ Name: secret, Value: 'v', Type: 'SecureString' }));
    const { deployment } = await viaA.call('DeleteEnvironment', { appId: app.appId, envName: 'dev' });
    assert.equal(deployment.status, 'SUCCEEDED');
    assert.ok(a.logs().some((line) => line.includes('dropping the data a deleted environment kept outside its resources failed')));
    // A name taken again must not get its predecessor's cleanup later: it is refused while one is pending.
    await assert.rejects(viaA.call('CreateEnvironment', { appId: app.appId, envName: 'dev' }), { code: 'ConflictException' });
    assert.deepEqual(await namesUnder(`/amplify/${app.appId}/dev`), [secret], 'A dropped nothing');

    await a.close();
    const deadline = Date.now() + 10_000;
    // The parameters go first, then the pending row, then the line that says so: wait for the last.
    const finished = (): boolean => b.logs().some((line) => line.includes('finished the cleanup of a deleted environment'));
    while (!finished() && Date.now() < deadline) await sleep(50);
    assert.deepEqual(await namesUnder(`/amplify/${app.appId}/dev`), [], 'B dropped the parameters A left');
    assert.ok(finished());
    const pending = await b.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_environment_cleanups');
    assert.equal(pending?.n, 0);

    // Now the name may be used again, and the new environment's parameters stay.
    const viaB = createTestControlClient(b);
    await viaB.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    await ssm.send(new PutParameterCommand({ Name: secret, Value: 'new', Type: 'SecureString' }));
    await sleep(3 * SWEEP_MS);
    assert.deepEqual(await namesUnder(`/amplify/${app.appId}/dev`), [secret]);
  });
});
