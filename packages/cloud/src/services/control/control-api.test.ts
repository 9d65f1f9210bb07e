import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  DYNAMODB_RESOURCE_TYPES,
  SIGNING_SERVICE,
  controlApi,
  type ControlOperation,
  type ControlOperations,
  type Deployment,
} from '@forte/protocol';
import { TABLES } from '../../kernel/capabilities.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { createCloud, type Cloud } from '../../server.js';
import { TEST_RESOURCE_TYPE, readTestResourceValue } from './test-resource.js';

// The admin API through the real cloud (kernel, SigV4, routing) on port 0, signed like the CLI signs.
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function clientFor(cloud: Pick<Cloud, 'url' | 'adminCredentials'>, region = 'us-east-1') {
  const base = new URL(cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region,
    credentials: { accessKeyId: cloud.adminCredentials.accessKeyId, secretAccessKey: cloud.adminCredentials.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const send = async (operation: string, input: unknown, sign = true): Promise<{ status: number; body: Record<string, unknown> }> => {
    const body = JSON.stringify(input);
    const headers: Record<string, string> = {
      host: base.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}`,
    };
    const signed = sign
      ? (await signer.sign({ method: 'POST', protocol: base.protocol, hostname: base.hostname, port: Number(base.port), path: CONTROL_PATH, headers, body }))
          .headers
      : headers;
    const { host: _host, ...sendHeaders } = signed as Record<string, string>;
    const res = await fetch(new URL(CONTROL_PATH, base), { method: 'POST', headers: sendHeaders, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    send,
    async call<O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> {
      const { status, body } = await send(operation, input);
      if (status !== 200) throw new ApiError(String(body['__type']), String(body['message']), status);
      // Every answer the cloud gives must be what the contract declares: the CLI's client refuses anything else.
      return controlApi[operation].output.parse(body) as ControlOperations[O]['output'];
    },
  };
}

async function finished(deployment: Deployment, client: ReturnType<typeof clientFor>): Promise<boolean> {
  if (deployment.status !== 'SUCCEEDED' || deployment.kind !== 'deploy') return true;
  const { events } = await client.call('DescribeStackEvents', { appId: deployment.appId, envName: deployment.envName, deploymentId: deployment.deploymentId });
  return events.at(-1)?.status === 'DEPLOYMENT_COMPLETE';
}

async function until(deploymentId: string, client: ReturnType<typeof clientFor>): Promise<Deployment> {
  for (let i = 0; i < 500; i++) {
    const { deployment } = await client.call('GetDeployment', { deploymentId });
    // A deployment stands (SUCCEEDED) a moment before its last event (DEPLOYMENT_COMPLETE) is written.
    if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'ROLLING_BACK' && (await finished(deployment, client))) return deployment;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`deployment ${deploymentId} did not finish`);
}

void describe('control API over HTTP', () => {
  let dir: string;
  let cloud: Cloud;
  let client: ReturnType<typeof clientFor>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-control-api-'));
    cloud = await createCloud({ dataDir: dir, port: 0, testFaults: true, logStream: { write: () => true } });
    client = clientFor(cloud, cloud.kernel.config.region);
  });
  after(async () => {
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it('serves exactly the operations of the protocol contract', () => {
    const routes = [...cloud.kernel.rawRoutes, ...cloud.kernel.urlRoutes].filter((route) => route.jsonApi?.targetPrefix === CONTROL_TARGET_PREFIX);
    assert.equal(routes.length, 1);
    assert.deepEqual([...routes[0]!.jsonApi!.operations].sort(), Object.keys(controlApi).sort());
  });

  void it('refuses unsigned requests and validates input, naming the field', async () => {
    const unsigned = await client.send('ListApps', {}, false);
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.body['__type'], 'MissingAuthenticationTokenException');
    await assert.rejects(
      client.call('CreateApp', { name: 'x' }),
      (e: ApiError) => e.status === 400 && e.code === 'ValidationException' && /^name: /.test(e.message),
    );
    await assert.rejects(client.call('GetApp', { appId: 'dnope' }), { code: 'ResourceNotFoundException', status: 404 });
  });

  void it('deploys, reports events and state, rolls back a failure, refuses a concurrent push and deletes', async () => {
    const { app } = await client.call('CreateApp', { name: 'HttpApp' });
    const { environment } = await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    assert.equal(environment.status, 'NEW');
    const template = {
      Resources: { Site: { Type: TEST_RESOURCE_TYPE, Properties: { Value: 'v1' } } },
      Outputs: { SiteName: { Value: { 'Fn::GetAtt': ['Site', 'Name'] } } },
    };
    const { changeSet } = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template, initiatedBy: 'alice@laptop (pid 7)' });
    assert.deepEqual(changeSet.changes, [
      { logicalId: 'Site', resourceType: TEST_RESOURCE_TYPE, action: 'Add', reasons: ['new resource'], replacement: false },
    ]);
    assert.equal((await client.call('DescribeChangeSet', { changeSetId: changeSet.changeSetId })).changeSet.status, 'CREATED');
    const { deployment } = await client.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
    assert.equal(deployment.status, 'IN_PROGRESS');
    assert.equal((await until(deployment.deploymentId, client)).status, 'SUCCEEDED');
    const { events } = await client.call('DescribeStackEvents', { appId: app.appId, envName: 'dev', deploymentId: deployment.deploymentId });
    assert.deepEqual(
      events.map((e) => e.status),
      ['DEPLOYMENT_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'DEPLOYMENT_COMPLETE'],
    );
    const tail = await client.call('DescribeStackEvents', { appId: app.appId, envName: 'dev', afterSeq: events[2]?.seq ?? 0 });
    assert.deepEqual(
      tail.events.map((e) => e.status),
      ['DEPLOYMENT_COMPLETE'],
    );
    const stack = await client.call('DescribeStack', { appId: app.appId, envName: 'dev' });
    assert.equal(stack.environment.status, 'DEPLOYED');
    assert.equal(stack.resources[0]?.logicalId, 'Site');
    assert.equal(stack.environment.outputs['SiteName'], stack.resources[0]?.physicalId);

    // A failing change rolls back; the error names the resource.
    const failing = await client.call('CreateChangeSet', {
      appId: app.appId,
      envName: 'dev',
      template: { Resources: { Site: { Type: TEST_RESOURCE_TYPE, Properties: { Value: 'v2', FailOn: 'update' } } } },
    });
    const failed = await until((await client.call('ExecuteChangeSet', { changeSetId: failing.changeSet.changeSetId })).deployment.deploymentId, client);
    assert.equal(failed.status, 'ROLLED_BACK');
    assert.match(failed.error ?? '', /^Site: FailOn update/);
    assert.equal((await client.call('GetEnvironment', { appId: app.appId, envName: 'dev' })).environment.status, 'DEPLOY_FAILED');

    // A slow deployment holds the lock: a second push is refused naming it.
    const slow = await client.call('CreateChangeSet', {
      appId: app.appId,
      envName: 'dev',
      template: { Resources: { Site: { Type: TEST_RESOURCE_TYPE, Properties: { Value: 'v3', DelayMs: 300 } } } },
      initiatedBy: 'alice@laptop (pid 7)',
    });
    const other = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template });
    const running = await client.call('ExecuteChangeSet', { changeSetId: slow.changeSet.changeSetId });
    await assert.rejects(client.call('ExecuteChangeSet', { changeSetId: other.changeSet.changeSetId }), (e: ApiError) => {
      assert.equal(e.status, 409);
      assert.equal(e.code, 'DeploymentInProgressException');
      assert.match(e.message, new RegExp(`being deployed by alice@laptop \\(pid 7\\) since .* \\(deployment ${running.deployment.deploymentId}\\)`));
      return true;
    });
    assert.equal((await until(running.deployment.deploymentId, client)).status, 'SUCCEEDED');

    await assert.rejects(client.call('DeleteApp', { appId: app.appId }), { code: 'ResourceInUseException', status: 409 });
    const removed = await client.call('DeleteEnvironment', { appId: app.appId, envName: 'dev' });
    assert.equal(removed.deployment.status, 'SUCCEEDED');
    assert.deepEqual((await client.call('ListEnvironments', { appId: app.appId })).environments, []);
    await client.call('DeleteApp', { appId: app.appId });
    assert.ok(!(await client.call('ListApps', {})).apps.some((a) => a.appId === app.appId));
  });
});

void describe('control API: data deleted by a deployment', () => {
  let dir: string;
  let cloud: Cloud;
  let client: ReturnType<typeof clientFor>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-control-deleted-'));
    cloud = await createCloud({ dataDir: dir, port: 0, logStream: { write: () => true } });
    client = clientFor(cloud, cloud.kernel.config.region);
  });
  after(async () => {
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it("counts a table's items in the change set, keeps them when it is removed, and restores them into the table added back", async () => {
    const { app } = await client.call('CreateApp', { name: 'KeepApp' });
    await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const table = {
      Type: DYNAMODB_RESOURCE_TYPES.table,
      Properties: {
        TableName: 'Notes',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
    };
    const deploy = async (resources: Record<string, unknown>) => {
      const { changeSet } = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: { Resources: resources } as never });
      const done = await until((await client.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment.deploymentId, client);
      assert.equal(done.status, 'SUCCEEDED', done.error);
      return changeSet;
    };
    await deploy({ NoteTable: table });
    for (const id of ['a', 'b']) await cloud.kernel.capability(TABLES).put({ table: 'Notes', item: { id: { S: id } } });

    const { changeSet } = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: { Resources: {} } });
    assert.deepEqual(
      changeSet.changes.map((c) => [c.logicalId, c.action, c.destroysData]),
      [['NoteTable', 'Remove', { kind: 'items', count: 2, restorable: true }]],
    );
    await deploy({});
    const { copies } = await client.call('ListDeletedData', { appId: app.appId, envName: 'dev' });
    assert.deepEqual(
      copies.map((c) => [c.logicalId, c.physicalId, c.kind, c.count]),
      [['NoteTable', 'Notes', 'items', 2]],
    );
    await assert.rejects(client.call('RestoreDeletedData', { appId: app.appId, envName: 'dev', resource: '' }), { code: 'ValidationException', status: 400 });
    await assert.rejects(
      client.call('RestoreDeletedData', { appId: app.appId, envName: 'dev' }),
      (e: ApiError) => e.code === 'ResourceNotFoundException' && /NoteTable is not deployed/.test(e.message),
    );

    await deploy({ NoteTable: table });
    const restored = await client.call('RestoreDeletedData', { appId: app.appId, envName: 'dev', resource: 'NoteTable' });
    assert.deepEqual(
      restored.restored.map((r) => [r.copy.logicalId, r.restored, r.skipped]),
      [['NoteTable', 2, 0]],
    );
    assert.deepEqual(restored.waiting, []);
    assert.equal(await cloud.kernel.capability(TABLES).count({ table: 'Notes' }), 2);

    await deploy({});
    assert.equal((await client.call('ListDeletedData', { appId: app.appId, envName: 'dev' })).copies.length, 1);
    await client.call('DeleteEnvironment', { appId: app.appId, envName: 'dev' });
    const left = await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_deleted_data WHERE app_id = ?', [app.appId]);
    assert.equal(Number(left?.n), 0, 'the copies go with the environment');
  });
});

void describe('control API without test faults', () => {
  void it('does not know the test resource type', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-control-api-'));
    const cloud = await createCloud({ dataDir: dir, port: 0, testFaults: false, logStream: { write: () => true } });
    try {
      const client = clientFor(cloud);
      const { app } = await client.call('CreateApp', { name: 'NoFaults' });
      await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
      await assert.rejects(
        client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: { Resources: { T: { Type: TEST_RESOURCE_TYPE, Properties: {} } } } }),
        {
          code: 'ValidationException',
          message: /^T \(stack amplify-nofaults-dev-\d+\): resource type Forte::Test::Resource is not supported \(no service of this cloud handles it\)$/,
        },
      );
    } finally {
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

void describe('control plane after kill -9', () => {
  void it('rolls the interrupted deployment back on the next start and accepts the next one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-control-kill-'));
    const bin = new URL('../../bin.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dir], {
      env: { ...process.env, FORTE_TEST_FAULTS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let cloud: Cloud | undefined;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`the cloud exited with ${code}`)));
      });
      const adminCredentials = JSON.parse(await readFile(join(dir, 'admin-credentials.json'), 'utf8')) as Cloud['adminCredentials'];
      const client = clientFor({ url, adminCredentials });
      const { app } = await client.call('CreateApp', { name: 'KillApp' });
      await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
      const resources = (value: number, extra: Record<string, unknown> = {}) => ({
        Resources: {
          A: { Type: TEST_RESOURCE_TYPE, Properties: { Name: 'kill-a', Value: value } },
          B: { Type: TEST_RESOURCE_TYPE, Properties: { Name: 'kill-b', Value: value, ...extra }, DependsOn: 'A' },
        },
      });
      const v1 = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: resources(1) });
      assert.equal(
        (await until((await client.call('ExecuteChangeSet', { changeSetId: v1.changeSet.changeSetId })).deployment.deploymentId, client)).status,
        'SUCCEEDED',
      );
      const v2 = await client.call('CreateChangeSet', {
        appId: app.appId,
        envName: 'dev',
        template: resources(2, { HangOn: 'update' }),
        initiatedBy: 'killed',
      });
      const hung = (await client.call('ExecuteChangeSet', { changeSetId: v2.changeSet.changeSetId })).deployment;
      // Watch the running cloud's database until the hanging update has written its new value.
      const watcher = createSqliteStore(join(dir, 'forte.db'));
      try {
        for (let i = 0; i < 300 && (await readTestResourceValue(watcher, 'kill-b')) !== 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(await readTestResourceValue(watcher, 'kill-b'), 2);
        assert.equal((await client.call('GetDeployment', { deploymentId: hung.deploymentId })).deployment.status, 'IN_PROGRESS');
      } finally {
        await watcher.close();
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

      cloud = await createCloud({ dataDir: dir, port: 0, testFaults: true, logStream: { write: () => true } });
      const after = clientFor(cloud);
      const deployment = (await after.call('GetDeployment', { deploymentId: hung.deploymentId })).deployment;
      assert.equal(deployment.status, 'ROLLED_BACK');
      assert.equal(await readTestResourceValue(cloud.kernel.sql, 'kill-a'), 1);
      assert.equal(await readTestResourceValue(cloud.kernel.sql, 'kill-b'), 1);
      const stack = await after.call('DescribeStack', { appId: app.appId, envName: 'dev' });
      assert.equal(stack.environment.status, 'DEPLOY_FAILED');
      assert.deepEqual(
        stack.resources.map((r) => [r.logicalId, r.attributes['Value']]),
        [
          ['A', 1],
          ['B', 1],
        ],
      );
      const v3 = await after.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template: resources(3) });
      assert.equal(
        (await until((await after.call('ExecuteChangeSet', { changeSetId: v3.changeSet.changeSetId })).deployment.deploymentId, after)).status,
        'SUCCEEDED',
      );
      assert.equal(await readTestResourceValue(cloud.kernel.sql, 'kill-b'), 3);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await cloud?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
