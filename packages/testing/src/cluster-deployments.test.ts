import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Deployment } from '@forte/protocol';
import { startCloudProcess } from './cloud-process.js';
import { createTestControlClient, type TestControlClient } from './control-client.js';
import { makeTempDir } from './make-temp-dir.js';
import { dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
import { startTestCloud } from './start-test-cloud.js';

// Two cloud instances on one PostgreSQL database: the one running a deployment is killed (-9); the other
// notices its lease lapse, rolls the deployment back and takes the next one.
const TEST_RESOURCE = 'Forte::Test::Resource';
const server = await testPostgres();

async function settled(client: TestControlClient, deploymentId: string): Promise<Deployment> {
  for (let i = 0; i < 1000; i++) {
    const { deployment } = await client.call('GetDeployment', { deploymentId });
    if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'ROLLING_BACK') return deployment;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`deployment ${deploymentId} did not finish`);
}

void describe('deployments on a cluster (PostgreSQL)', { skip: server.ok ? false : server.reason }, () => {
  const children: ChildProcess[] = [];
  after(() => children.forEach((child) => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));

  /** A fresh database with two instances on it, both with 1 s deployment leases: A a process of the cloud's bin, B in this one. */
  async function twoInstances() {
    const database = postgresTestUrl();
    after(() => dropTestSchema(database));
    const secretKey = randomBytes(32).toString('base64');
    const dirA = await makeTempDir('forte-cluster-a');
    await writeFile(join(dirA, 'config.json'), JSON.stringify({ control: { deploymentLeaseSeconds: 1 } }));
    const a = await startCloudProcess(dirA, { FORTE_DATABASE: database, FORTE_SECRET_KEY: secretKey, FORTE_TEST_FAULTS: '1' });
    children.push(a.child);
    const b = await startTestCloud({ database, secretKey, testFaults: true, deploymentLeaseMs: 1000 });
    // One set of admin keys for the cluster: A's, kept in the database, accepted by B.
    const keysA = JSON.parse(await readFile(join(dirA, 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    assert.equal(b.credentials.accessKeyId, keysA.accessKeyId);
    const viaA = createTestControlClient({ url: a.url, credentials: { ...keysA, region: b.credentials.region } });
    const another = () => startTestCloud({ database, secretKey, testFaults: true, deploymentLeaseMs: 1000 });
    return { a, b, viaA, viaB: createTestControlClient(b), another };
  }

  void it('rolls back the deployment of a killed instance on another one, only once its lease lapsed, and takes the next push', async () => {
    const { a, b, viaA, viaB } = await twoInstances();
    await using _b = b; // stopped at the end of the test

    const { app } = await viaA.call('CreateApp', { name: 'ClusterApp' });
    await viaA.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const template = (value: number, extra: Record<string, unknown> = {}) => ({
      Resources: {
        A: { Type: TEST_RESOURCE, Properties: { Name: 'cluster-a', Value: value } },
        B: { Type: TEST_RESOURCE, Properties: { Name: 'cluster-b', Value: value, ...extra }, DependsOn: 'A' },
      },
    });
    const v1 = await viaA.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: template(1) });
    assert.equal(
      (await settled(viaB, (await viaA.call('ExecuteChangeSet', { changeSetId: v1.changeSet.changeSetId })).deployment.deploymentId)).status,
      'SUCCEEDED',
    );

    const v2 = await viaA.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: template(2, { HangOn: 'update' }) });
    const hung = (await viaA.call('ExecuteChangeSet', { changeSetId: v2.changeSet.changeSetId })).deployment;
    // A second push through the other instance is refused while A runs the first.
    const v2b = await viaB.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: template(5) });
    await assert.rejects(viaB.call('ExecuteChangeSet', { changeSetId: v2b.changeSet.changeSetId }), { code: 'DeploymentInProgressException' });
    // Three lease periods with A alive: B leaves A's deployment alone.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(
      (await viaB.call('GetDeployment', { deploymentId: hung.deploymentId })).deployment.status,
      'IN_PROGRESS',
      'a live instance keeps its deployment',
    );

    a.child.kill('SIGKILL');
    const rolledBack = await settled(viaB, hung.deploymentId);
    assert.equal(rolledBack.status, 'ROLLED_BACK');
    assert.match(rolledBack.error ?? '', /interrupted by the stop of the cloud instance running it/);
    const stack = await viaB.call('DescribeStack', { appId: app.appId, envName: 'dev' });
    assert.deepEqual(
      stack.resources.map((r) => [r.logicalId, r.attributes['Value']]),
      [
        ['A', 1],
        ['B', 1],
      ],
    );
    const v3 = await viaB.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: template(3) });
    assert.equal(
      (await settled(viaB, (await viaB.call('ExecuteChangeSet', { changeSetId: v3.changeSet.changeSetId })).deployment.deploymentId)).status,
      'SUCCEEDED',
    );
  });

  void it("finishes the clean-up of a killed instance's committed deployment on another one, and only then says it ended", async () => {
    const { a, b: instanceB, viaA, viaB, another } = await twoInstances();
    await using b = instanceB;
    const { app } = await viaA.call('CreateApp', { name: 'CleanupApp' });
    await viaA.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    // D takes 3 s to create and to delete (three lease periods): a push that removes it is cleaning up that long.
    const withD = {
      Resources: {
        K: { Type: TEST_RESOURCE, Properties: { Name: 'kept', Value: 1 } },
        D: { Type: TEST_RESOURCE, Properties: { Name: 'slow-d', Value: 1, DelayMs: 3000 } },
      },
    };
    const withoutD = { Resources: { K: { Type: TEST_RESOURCE, Properties: { Name: 'kept', Value: 1 } } } };
    const deploy = async (template: typeof withoutD): Promise<string> => {
      const { changeSet } = await viaA.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template });
      return (await viaA.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment.deploymentId;
    };
    const events = async (deploymentId: string): Promise<string[]> =>
      (await viaB.call('DescribeStackEvents', { appId: app.appId, envName: 'dev', deploymentId, afterSeq: 0 })).events
        .filter((e) => e.resourceType === 'Forte::Stack' || e.logicalId === 'D')
        .map((e) => (e.logicalId === 'D' ? `D ${e.status}` : e.status));
    const until = async (deploymentId: string, what: string): Promise<string[]> => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const seen = await events(deploymentId);
        if (seen.includes(what)) return seen;
      }
      throw new Error(`no ${what} for ${deploymentId}: ${(await events(deploymentId)).join(', ')}`);
    };
    const slowD = async (): Promise<unknown> =>
      (await b.kernel.sql.get('SELECT value FROM control_test_resources WHERE physical_id = ?', ['slow-d']))?.['value'];
    const ended = ['DEPLOYMENT_IN_PROGRESS', 'CLEANUP_IN_PROGRESS', 'D DELETE_IN_PROGRESS', 'D DELETE_COMPLETE', 'DEPLOYMENT_COMPLETE'];

    // A alive: its clean-up outlasts the lease, which it renews until done; B does not step in, nor does a third
    // instance that starts meanwhile (a start finishes the clean-ups nobody runs, not those a live instance runs).
    await until(await deploy(withD), 'DEPLOYMENT_COMPLETE');
    const removed = await deploy(withoutD);
    await until(removed, 'D DELETE_IN_PROGRESS');
    {
      await using _c = await another();
      assert.deepEqual(await until(removed, 'DEPLOYMENT_COMPLETE'), ended);
    }
    assert.equal(await slowD(), undefined);

    // A killed while deleting D after the commit: B finishes the clean-up, then writes the last event, once.
    await until(await deploy(withD), 'DEPLOYMENT_COMPLETE');
    const interrupted = await deploy(withoutD);
    await until(interrupted, 'D DELETE_IN_PROGRESS');
    assert.equal((await viaB.call('GetDeployment', { deploymentId: interrupted })).deployment.status, 'SUCCEEDED');
    a.child.kill('SIGKILL');
    const finished = await until(interrupted, 'DEPLOYMENT_COMPLETE');
    assert.deepEqual(finished, [
      'DEPLOYMENT_IN_PROGRESS',
      'CLEANUP_IN_PROGRESS',
      'D DELETE_IN_PROGRESS',
      'D DELETE_IN_PROGRESS',
      'D DELETE_COMPLETE',
      'DEPLOYMENT_COMPLETE',
    ]);
    assert.equal(await slowD(), undefined);
    assert.ok(b.logs().some((line) => line.includes('finishing the clean-up of a deployment whose cloud stopped after its commit')));
    // Two more lease periods: nothing is added.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(await events(interrupted), finished);
  });
});
