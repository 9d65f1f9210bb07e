import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Deployment, ForteError, Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import type { ResourceHandler } from '../../kernel/types.js';
import { listEvents, readDeployed } from './control-store.js';
import { createStackEngine, type StackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler, readTestResourceValue } from './test-resource.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';

const T = TEST_RESOURCE_TYPE;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Harness {
  dir: string;
  file: string;
  sql: SqlStore;
  engine: StackEngine;
  appId: string;
  envName: string;
  /** Handler calls in order: `create:<logicalId>`, `update:<logicalId>`, `delete:<physicalId>`. */
  calls: string[];
  maxInFlight: () => number;
  deploy(
    template: Template,
    options?: { nested?: Record<string, Template>; parameters?: Record<string, unknown>; files?: Record<string, string> },
  ): Promise<Deployment>;
  value(physicalId: string): Promise<unknown>;
}

/** An engine on a real database (a SQLite file, or PostgreSQL: openTestStore), whose only type is the test resource, wrapped to record calls. */
async function harness(options: { dir?: string; createApp?: boolean } = {}): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'forte-engine-')));
  const file = join(dir, 'cloud.db');
  const sql = await openTestStore(dir);
  const inner = createTestResourceHandler(sql);
  const calls: string[] = [];
  let inFlight = 0;
  let max = 0;
  const counted = async <R>(label: string, fn: () => Promise<R>): Promise<R> => {
    calls.push(label);
    inFlight++;
    max = Math.max(max, inFlight);
    try {
      return await fn();
    } finally {
      inFlight--;
    }
  };
  const handler: ResourceHandler = {
    replaceOn: inner.replaceOn ?? [],
    create: (props, ctx) => counted(`create:${ctx.logicalId}`, () => inner.create(props, ctx)),
    update: (id, props, old, ctx) => counted(`update:${ctx.logicalId}`, () => inner.update(id, props, old, ctx)),
    delete: (id, props, ctx) => counted(`delete:${id}`, () => inner.delete(id, props, ctx)),
  };
  const engine = createStackEngine({
    sql,
    log: createLogger({ write: () => undefined, level: 'error' }),
    handlerFor: (type) => (type === T ? handler : undefined),
    region: 'us-east-1',
    accountId: '123456789012',
    retryDelaysMs: [5, 5],
  });
  await engine.start();
  let appId = '';
  const envName = 'dev';
  if (options.createApp !== false) {
    appId = (await engine.registry.createApp('MyApp')).appId;
    await engine.registry.createEnvironment(appId, envName);
  }
  let closed = false;
  cleanups.push(async () => {
    if (!closed) {
      closed = true;
      await engine.idle(5000);
      await sql.close();
    }
    if (!options.dir) await rm(dir, { recursive: true, force: true });
  });
  const h: Harness = {
    dir,
    file,
    sql,
    engine,
    appId,
    envName,
    calls,
    maxInFlight: () => max,
    async deploy(template, opts = {}) {
      const cs = await engine.createChangeSet({
        appId: h.appId,
        envName,
        template,
        nestedTemplates: opts.nested ?? {},
        nestedTemplateFiles: opts.files ?? {},
        parameters: opts.parameters ?? {},
        initiatedBy: 'alice@laptop (pid 1)',
        currentCloudBackend: { bucket: 'deploy-bucket', key: 'snap.zip' },
      });
      const started = await engine.executeChangeSet(cs.changeSetId);
      assert.equal(started.status, 'IN_PROGRESS');
      return engine.waitForDeployment(started.deploymentId);
    },
    value: (physicalId) => readTestResourceValue(sql, physicalId),
  };
  return h;
}

const res = (props: Record<string, unknown>, dependsOn?: string[]): Template['Resources'][string] => ({
  Type: T,
  Properties: props,
  ...(dependsOn ? { DependsOn: dependsOn } : {}),
});

void describe('stack engine', () => {
  void it('applies in dependency order, four at a time, resolving nested outputs, and commits state, outputs and events', async () => {
    const h = await harness();
    const nested: Record<string, Template> = {
      'store.json': {
        Parameters: { Prefix: { Type: 'String' } },
        Resources: { Bucket: res({ Name: { 'Fn::Sub': '${Prefix}-bucket' }, Value: 'b' }) },
        Outputs: { BucketName: { Value: { 'Fn::GetAtt': ['Bucket', 'Name'] } } },
      },
    };
    // Long enough that the four first are all started before one ends, on a loaded machine too (writing a
    // resource's start is a database transaction, more than one on PostgreSQL).
    const parallel = Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`P${i}`, res({ Name: `p${i}`, Value: i, DelayMs: 400 })]));
    const template: Template = {
      Resources: {
        ...parallel,
        store: { Type: 'Forte::Stack', Properties: { TemplateURL: 'store.json', Parameters: { Prefix: { Ref: 'AWS::StackName' } } } },
        Last: res(
          { Name: 'last', Value: { 'Fn::Join': [',', [{ Ref: 'P1' }, { 'Fn::GetAtt': ['P6', 'Value'] }, { 'Fn::GetAtt': ['store', 'Outputs.BucketName'] }]] } },
          ['P2', 'P3', 'P4', 'P5'],
        ),
      },
      Outputs: { Bucket: { Value: { 'Fn::GetAtt': ['store', 'Outputs.BucketName'] } }, Region: { Value: { Ref: 'AWS::Region' } } },
    };
    const deployment = await h.deploy(template, { nested });
    assert.equal(deployment.status, 'SUCCEEDED', deployment.error);
    assert.equal(h.maxInFlight(), 4, 'independent resources run four at a time');
    assert.equal(h.calls.at(-1), 'create:Last', 'the dependent resource comes last');
    const env = await h.engine.registry.getEnvironment(h.appId, 'dev');
    const bucketName = `${env.stackName}-bucket`; // the parameter is evaluated in the root stack
    assert.equal(env.status, 'DEPLOYED');
    assert.deepEqual(env.outputs, { Bucket: bucketName, Region: 'us-east-1' });
    assert.deepEqual(env.currentCloudBackend, { bucket: 'deploy-bucket', key: 'snap.zip' });
    assert.equal(await h.value('last'), `p1,6,${bucketName}`);
    const stack = await h.engine.describeStack(h.appId, 'dev');
    const byId = Object.fromEntries(stack.resources.map((r) => [r.logicalId, r]));
    assert.equal(byId['store.Bucket']?.physicalId, bucketName);
    assert.deepEqual(byId['store']?.attributes, { 'Outputs.BucketName': bucketName });
    assert.equal(byId['store']?.resourceType, 'Forte::Stack');
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: deployment.deploymentId });
    assert.deepEqual(
      events.filter((e) => e.logicalId === 'Last').map((e) => e.status),
      ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'],
    );
    assert.equal(events.at(-1)?.status, 'DEPLOYMENT_COMPLETE');
    assert.ok(
      events.every((e, i) => i === 0 || e.seq > (events[i - 1]?.seq ?? 0)),
      'seq is monotonic',
    );
    const later = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', afterSeq: events.at(-2)?.seq ?? 0 });
    assert.deepEqual(
      later.map((e) => e.status),
      ['DEPLOYMENT_COMPLETE'],
    );

    // The same template again: nothing to do.
    const again = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template, nestedTemplates: nested });
    assert.deepEqual(again.changes, []);
  });

  void it('names the file of a nested template whose resource a handler refuses', async () => {
    const h = await harness();
    const root: Template = { Resources: { fn: { Type: 'Forte::Stack', Properties: { TemplateURL: 'fn.json' } } } };
    const nested = { 'fn.json': { Resources: { Bad: res({ Name: 'bad', FailOn: 'create' }) } } };
    const failed = await h.deploy(root, { nested, files: { 'fn.json': 'amplify/backend/function/fn/fn-cloudformation-template.json' } });
    assert.equal(failed.status, 'ROLLED_BACK');
    assert.equal(
      failed.error,
      'fn.Bad: FailOn create: this test resource fails to create (declared in amplify/backend/function/fn/fn-cloudformation-template.json)',
    );
  });

  void it('rolls back a failure in the middle: created resources deleted, modified ones restored, state as before', async () => {
    const h = await harness();
    const v1: Template = { Resources: { A: res({ Name: 'a', Value: 1 }), B: res({ Name: 'b', Value: 1 }) }, Outputs: { A: { Value: { Ref: 'A' } } } };
    assert.equal((await h.deploy(v1)).status, 'SUCCEEDED');
    const before = await readDeployed(h.sql, h.appId, 'dev');
    const envBefore = await h.engine.registry.getEnvironment(h.appId, 'dev');
    const v2: Template = {
      Resources: {
        A: res({ Name: 'a', Value: 2 }),
        B: res({ Name: 'b', Value: 2 }),
        C: res({ Name: 'c', Value: 'new' }),
        D: res({ Name: 'd', FailOn: 'create', Uses: { Ref: 'C' } }, ['A', 'B']),
      },
    };
    const failed = await h.deploy(v2);
    assert.equal(failed.status, 'ROLLED_BACK');
    assert.match(failed.error ?? '', /^D: FailOn create: this test resource fails to create$/);
    assert.equal(await h.value('a'), 1);
    assert.equal(await h.value('b'), 1);
    assert.equal(await h.value('c'), undefined, 'the created resource is deleted');
    assert.deepEqual(await readDeployed(h.sql, h.appId, 'dev'), before);
    const env = await h.engine.registry.getEnvironment(h.appId, 'dev');
    assert.equal(env.status, 'DEPLOY_FAILED');
    assert.deepEqual(env.outputs, envBefore.outputs);
    assert.equal(env.generation, envBefore.generation);
    const statuses = (await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: failed.deploymentId })).map(
      (e) => `${e.logicalId}:${e.status}`,
    );
    assert.ok(statuses.includes('D:CREATE_FAILED'));
    assert.ok(statuses.includes('C:DELETE_COMPLETE'));
    assert.equal(statuses.at(-1), `${env.stackName}:ROLLBACK_COMPLETE`);
    // Unlocked: the fixed template deploys.
    const fixed = await h.deploy({ Resources: { ...v2.Resources, D: res({ Name: 'd', Uses: { Ref: 'C' } }, ['A', 'B']) } });
    assert.equal(fixed.status, 'SUCCEEDED', fixed.error);
    assert.equal(await h.value('a'), 2);
  });

  void it('records a failing rollback step after retrying it, and never leaves the environment locked', async () => {
    const h = await harness();
    const failed = await h.deploy({ Resources: { C: res({ Name: 'c', Value: 1, FailOn: 'delete' }), D: res({ Name: 'd', FailOn: 'create' }, ['C']) } });
    assert.equal(failed.status, 'FAILED');
    assert.match(
      failed.error ?? '',
      /^D: FailOn create.*Rollback incomplete: C \(Forte::Test::Resource\) could not be deleted: FailOn delete.*may need attention/,
    );
    assert.equal(h.calls.filter((c) => c === 'delete:c').length, 3, 'the rollback step is tried three times');
    const env = await h.engine.registry.getEnvironment(h.appId, 'dev');
    assert.equal(env.status, 'DEPLOY_FAILED');
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: failed.deploymentId });
    assert.equal(events.at(-1)?.status, 'ROLLBACK_FAILED');
    const next = await h.deploy({ Resources: { C: res({ Name: 'c', Value: 1 }) } });
    assert.equal(next.status, 'SUCCEEDED', 'the lock was released');
  });

  void it('refuses a second deployment of the environment, naming the one in progress', async () => {
    const h = await harness();
    const slow = await h.engine.createChangeSet({
      appId: h.appId,
      envName: 'dev',
      template: { Resources: { A: res({ Name: 'a', DelayMs: 300 }) } },
      initiatedBy: 'alice@laptop (pid 1234)',
    });
    const other = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: { B: res({ Name: 'b' }) } }, initiatedBy: 'bob' });
    const running = await h.engine.executeChangeSet(slow.changeSetId);
    await assert.rejects(h.engine.executeChangeSet(other.changeSetId), (error: ForteError) => {
      assert.equal(error.code, 'DeploymentInProgressException');
      assert.equal(error.status, 409);
      assert.match(
        error.message,
        new RegExp(
          `^Environment dev is being deployed by alice@laptop \\(pid 1234\\) since \\S+ \\(deployment ${running.deploymentId}\\)\\. Wait for it to finish; \`forte status\` shows it\\.$`,
        ),
      );
      return true;
    });
    await assert.rejects(h.engine.deleteEnvironment(h.appId, 'dev', 'test'), { code: 'DeploymentInProgressException' });
    assert.equal((await h.engine.registry.getEnvironment(h.appId, 'dev')).status, 'DEPLOYING');
    assert.equal((await h.engine.waitForDeployment(running.deploymentId)).status, 'SUCCEEDED');
    // The other change set was planned before that deployment: it is out of date now.
    await assert.rejects(
      h.engine.executeChangeSet(other.changeSetId),
      (error: ForteError) => error.code === 'ConflictException' && /out of date; create a new change set|create a new change set/.test(error.message),
    );
    assert.equal((await h.engine.describeChangeSet(other.changeSetId)).status, 'OBSOLETE');
  });

  void it('marks a change set obsolete once another deployment succeeded after it was created', async () => {
    const h = await harness();
    const first = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: { A: res({ Name: 'a' }) } } });
    const second = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: { B: res({ Name: 'b' }) } } });
    assert.equal((await h.engine.describeChangeSet(second.changeSetId)).status, 'CREATED');
    await h.engine.waitForDeployment((await h.engine.executeChangeSet(first.changeSetId)).deploymentId);
    await assert.rejects(h.engine.executeChangeSet(second.changeSetId), { code: 'ConflictException', message: /out of date.*create a new change set/ });
    assert.equal((await h.engine.describeChangeSet(second.changeSetId)).status, 'OBSOLETE');
    assert.equal(await h.value('b'), undefined);
    await assert.rejects(h.engine.executeChangeSet(first.changeSetId), { code: 'ConflictException', message: /already executed/ });
  });

  void it('compacts earlier change sets once one is deployed: executed ones keep their plan only, ones nobody executed go after a day', async () => {
    const h = await harness();
    const template = (name: string) => ({ Resources: { A: res({ Name: name }) } });
    const kept = async (): Promise<Array<[string, string, boolean]>> =>
      (
        await h.sql.all<{ change_set_id: string; status: string; template: string }>(
          'SELECT change_set_id, status, template FROM control_change_sets ORDER BY created_at',
        )
      ).map((r) => [String(r.change_set_id), String(r.status), r.template !== '{}']);
    const first = (await h.deploy(template('one'))).changeSetId!;
    const old = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: template('old') });
    await h.sql.run('UPDATE control_change_sets SET created_at = ? WHERE change_set_id = ?', [
      new Date(Date.now() - 2 * 86_400_000).toISOString(),
      old.changeSetId,
    ]);
    const recent = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: template('recent') });
    const second = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: template('two') });
    await h.engine.waitForDeployment((await h.engine.executeChangeSet(second.changeSetId)).deploymentId);
    // The first push's change set keeps its plan without its templates; the two-day-old preview is gone; the recent
    // one still says it is out of date; the one just deployed is whole.
    assert.deepEqual(await kept(), [
      [first, 'EXECUTED', false],
      [recent.changeSetId, 'CREATED', true],
      [second.changeSetId, 'EXECUTED', true],
    ]);
    assert.deepEqual(
      (await h.engine.describeChangeSet(first)).changes.map((c) => [c.logicalId, c.action]),
      [['A', 'Add']],
    );
    await assert.rejects(h.engine.executeChangeSet(first), { code: 'ConflictException', message: /already executed/ });
    await assert.rejects(h.engine.executeChangeSet(recent.changeSetId), { code: 'ConflictException', message: /out of date/ });
    await assert.rejects(h.engine.executeChangeSet(old.changeSetId), { code: 'ResourceNotFoundException' });
  });

  void it('replaces by creating the new resource first and deleting the old one after the commit', async () => {
    const h = await harness();
    await h.deploy({ Resources: { A: res({ Name: 'one', Value: 1 }), User: res({ Name: 'user', Value: { 'Fn::GetAtt': ['A', 'Name'] } }) } });
    const cs = await h.engine.createChangeSet({
      appId: h.appId,
      envName: 'dev',
      template: { Resources: { A: res({ Name: 'two', Value: 1 }), User: res({ Name: 'user', Value: { 'Fn::GetAtt': ['A', 'Name'] } }) } },
    });
    assert.deepEqual(
      cs.changes.map((c) => [c.logicalId, c.action, c.reasons]),
      [
        ['A', 'Replace', ['Properties.Name changed (requires replacement)']],
        ['User', 'Modify', ['depends on A, which is replaced']],
      ],
    );
    h.calls.length = 0;
    const done = await h.engine.waitForDeployment((await h.engine.executeChangeSet(cs.changeSetId)).deploymentId);
    await h.engine.idle();
    assert.equal(done.status, 'SUCCEEDED', done.error);
    assert.deepEqual(h.calls, ['create:A', 'update:User', 'delete:one']);
    assert.equal(await h.value('one'), undefined);
    assert.equal(await h.value('user'), 'two');
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: done.deploymentId });
    assert.deepEqual(
      events.slice(-3).map((e) => e.status),
      ['DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DEPLOYMENT_COMPLETE'],
    );

    // A handler that answers 'replace' on update: new one first, old one deleted in cleanup.
    h.calls.length = 0;
    const replaced = await h.deploy({ Resources: { A: res({ Name: 'two', Value: 1 }), User: res({ Name: 'user', Value: 2, ReplaceOnUpdate: true }) } });
    await h.engine.idle();
    assert.equal(replaced.status, 'SUCCEEDED', replaced.error);
    assert.deepEqual(h.calls, ['update:User', 'create:User']);
    assert.equal(await h.value('user'), 2, 'same name: the new one adopted it and it was not deleted');
  });

  void it('re-resolves references at apply time: a dependent of a changed attribute is updated', async () => {
    const h = await harness();
    await h.deploy({ Resources: { A: res({ Name: 'a', Value: 1 }), Copy: res({ Name: 'copy', Value: { 'Fn::GetAtt': ['A', 'Value'] } }) } });
    const cs = await h.engine.createChangeSet({
      appId: h.appId,
      envName: 'dev',
      template: { Resources: { A: res({ Name: 'a', Value: 5 }), Copy: res({ Name: 'copy', Value: { 'Fn::GetAtt': ['A', 'Value'] } }) } },
    });
    assert.deepEqual(
      cs.changes.map((c) => c.logicalId),
      ['A'],
    );
    const done = await h.engine.waitForDeployment((await h.engine.executeChangeSet(cs.changeSetId)).deploymentId);
    assert.equal(done.status, 'SUCCEEDED');
    assert.equal(await h.value('copy'), 5);
  });

  void it('removes resources left out of the template after the commit', async () => {
    const h = await harness();
    await h.deploy({ Resources: { A: res({ Name: 'a' }), B: res({ Name: 'b', X: { Ref: 'A' } }) } });
    const cs = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: {} } });
    assert.deepEqual(
      cs.changes.map((c) => [c.logicalId, c.action, c.reasons]),
      [
        ['A', 'Remove', ['not in the template']],
        ['B', 'Remove', ['not in the template']],
      ],
    );
    h.calls.length = 0;
    await h.engine.waitForDeployment((await h.engine.executeChangeSet(cs.changeSetId)).deploymentId);
    await h.engine.idle();
    assert.deepEqual(h.calls, ['delete:b', 'delete:a'], 'dependents go first');
    assert.deepEqual(await readDeployed(h.sql, h.appId, 'dev'), []);
  });

  void it('deletes an environment in reverse dependency order; apps with environments cannot be deleted', async () => {
    const h = await harness();
    await h.deploy({ Resources: { A: res({ Name: 'a' }), B: res({ Name: 'b', X: { Ref: 'A' } }), C: res({ Name: 'c', X: { Ref: 'B' } }) } });
    await assert.rejects(h.engine.registry.deleteApp(h.appId), { code: 'ResourceInUseException', message: /still has environments: dev/ });
    h.calls.length = 0;
    const deletion = await h.engine.deleteEnvironment(h.appId, 'dev', 'test');
    assert.equal(deletion.status, 'SUCCEEDED', deletion.error);
    assert.equal(deletion.kind, 'delete');
    assert.deepEqual(h.calls, ['delete:c', 'delete:b', 'delete:a']);
    for (const id of ['a', 'b', 'c']) assert.equal(await h.value(id), undefined);
    await assert.rejects(h.engine.registry.getEnvironment(h.appId, 'dev'), { code: 'ResourceNotFoundException' });
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: deletion.deploymentId });
    assert.equal(events.at(-1)?.status, 'DELETE_COMPLETE');
    await h.engine.registry.deleteApp(h.appId);
    await assert.rejects(h.engine.registry.getApp(h.appId), { code: 'ResourceNotFoundException' });
  });

  void it('answers validation errors when planning', async () => {
    const h = await harness();
    await assert.rejects(h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Resources: { X: { Type: 'Forte::Nope::Thing' } } } }), {
      code: 'ValidationException',
      message: /^X \(stack amplify-myapp-dev-\d{5}\): resource type Forte::Nope::Thing is not supported/,
    });
    await assert.rejects(
      h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: { Parameters: { a: { Type: 'String' }, b: { Type: 'String' } }, Resources: {} } }),
      {
        code: 'ValidationException',
        message: /^Parameters must have values: a, b \(stack amplify-myapp-dev-\d{5}\); pass them from the parent stack or give them a Default$/,
      },
    );
    await assert.rejects(h.engine.createChangeSet({ appId: h.appId, envName: 'nope', template: { Resources: {} } }), { code: 'ResourceNotFoundException' });
  });

  void it('names apps and environments like Amplify', async () => {
    const h = await harness({ createApp: false });
    const one = await h.engine.registry.createApp('ShopApp');
    const two = await h.engine.registry.createApp('ShopApp');
    const three = await h.engine.registry.createApp('shopapp');
    assert.match(one.appId, /^d[a-z0-9]{13}$/);
    assert.deepEqual([one.slug, two.slug, three.slug], ['shopapp', 'shopapp-2', 'shopapp-3']);
    const env = await h.engine.registry.createEnvironment(one.appId, 'prod');
    assert.match(env.stackName, /^amplify-shopapp-prod-\d{5}$/);
    assert.equal(env.status, 'NEW');
    await assert.rejects(h.engine.registry.createEnvironment(one.appId, 'prod'), { code: 'ConflictException' });
    assert.deepEqual((await h.engine.registry.listApps()).map((a) => a.appId).sort(), [one.appId, two.appId, three.appId].sort());
  });

  void it('finishes on restart a cleanup the crash interrupted after the commit', async () => {
    const first = await harness();
    await first.deploy({ Resources: { A: res({ Name: 'a', Value: 1, DelayMs: 1500 }) } });
    const cs = await first.engine.createChangeSet({ appId: first.appId, envName: 'dev', template: { Resources: {} } });
    const started = await first.engine.executeChangeSet(cs.changeSetId);
    for (const until = Date.now() + 10_000; Date.now() < until && (await first.engine.getDeployment(started.deploymentId)).status !== 'SUCCEEDED';)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(await first.value('a'), 1, 'committed, the delete not done yet');
    const stackEvents = async (sql: SqlStore): Promise<string[]> =>
      (await listEvents(sql, { appId: first.appId, envName: 'dev', deploymentId: started.deploymentId, afterSeq: 0, limit: 100 }))
        .filter((e) => e.resourceType === 'Forte::Stack' || e.status.startsWith('DELETE'))
        .map((e) => `${e.logicalId === 'A' ? 'A ' : ''}${e.status}`);
    // The clean-up has begun (its events follow the commit) and is held in the delete of A.
    for (const until = Date.now() + 10_000; Date.now() < until && !(await stackEvents(first.sql)).includes('A DELETE_IN_PROGRESS');)
      await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await stackEvents(first.sql), ['DEPLOYMENT_IN_PROGRESS', 'CLEANUP_IN_PROGRESS', 'A DELETE_IN_PROGRESS']);
    await first.sql.close();
    cleanups.splice(cleanups.length - 1, 1);
    cleanups.push(() => rm(first.dir, { recursive: true, force: true }));

    const second = await harness({ dir: first.dir, createApp: false });
    assert.equal(await second.value('a'), undefined);
    assert.deepEqual(await second.sql.all('SELECT * FROM control_cleanup'), []);
    assert.deepEqual(await readDeployed(second.sql, first.appId, 'dev'), []);
    // The deployment ends as it would have without the crash: whoever follows it sees its last event.
    const after = await stackEvents(second.sql);
    assert.equal(after.at(-1), 'DEPLOYMENT_COMPLETE', after.join(', '));
    assert.ok(after.indexOf('A DELETE_COMPLETE') > after.indexOf('CLEANUP_IN_PROGRESS'), after.join(', '));
    // Said once: a second restart adds nothing.
    await second.sql.close();
    cleanups.splice(cleanups.length - 1, 1);
    const third = await harness({ dir: first.dir, createApp: false });
    assert.deepEqual(await stackEvents(third.sql), after);
  });

  void it('recovers from a crash mid-deployment: rolls back from the journal, frees the lock, accepts the next deployment', async () => {
    const first = await harness();
    const v1: Template = { Resources: { A: res({ Name: 'a', Value: 1 }), B: res({ Name: 'b', Value: 1 }) } };
    assert.equal((await first.deploy(v1)).status, 'SUCCEEDED');
    const before = await readDeployed(first.sql, first.appId, 'dev');
    const cs = await first.engine.createChangeSet({
      appId: first.appId,
      envName: 'dev',
      template: {
        Resources: { A: res({ Name: 'a', Value: 2 }), C: res({ Name: 'c', Value: 'new' }), B: res({ Name: 'b', Value: 2, HangOn: 'update' }, ['A', 'C']) },
      },
    });
    const started = await first.engine.executeChangeSet(cs.changeSetId);
    // Wait until the hanging update has written its new value, then abandon the engine mid-deployment.
    for (const until = Date.now() + 10_000; Date.now() < until && (await first.value('b')) !== 2;) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await first.value('b'), 2);
    assert.equal(await first.value('a'), 2);
    await first.sql.close();
    cleanups.splice(cleanups.length - 1, 1); // the abandoned engine is never idle: only its folder is removed
    cleanups.push(() => rm(first.dir, { recursive: true, force: true }));

    const second = await harness({ dir: first.dir, createApp: false });
    second.appId = first.appId;
    const deployment = await second.engine.getDeployment(started.deploymentId);
    assert.equal(deployment.status, 'ROLLED_BACK');
    assert.match(deployment.error ?? '', /interrupted by a restart/);
    assert.equal(await second.value('a'), 1);
    assert.equal(await second.value('b'), 1);
    assert.equal(await second.value('c'), undefined);
    assert.deepEqual(await readDeployed(second.sql, first.appId, 'dev'), before);
    assert.equal((await second.engine.registry.getEnvironment(first.appId, 'dev')).status, 'DEPLOY_FAILED');
    const next = await second.deploy({ Resources: { A: res({ Name: 'a', Value: 3 }), B: res({ Name: 'b', Value: 3 }) } });
    assert.equal(next.status, 'SUCCEEDED', next.error);
    assert.equal(await second.value('b'), 3);
  });

  void it('recovers from a crash during a create: the half-made resource is adopted and deleted', async () => {
    const first = await harness();
    assert.equal((await first.deploy({ Resources: { A: res({ Name: 'a', Value: 1 }) } })).status, 'SUCCEEDED');
    const cs = await first.engine.createChangeSet({
      appId: first.appId,
      envName: 'dev',
      template: { Resources: { A: res({ Name: 'a', Value: 1 }), N: res({ Name: 'half-made', Value: 'new', HangOn: 'create' }) } },
    });
    const started = await first.engine.executeChangeSet(cs.changeSetId);
    for (const until = Date.now() + 10_000; Date.now() < until && (await first.value('half-made')) === undefined;) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await first.value('half-made'), 'new', 'the create made the resource, then the cloud "died"');
    await first.sql.close();
    cleanups.splice(cleanups.length - 1, 1);
    cleanups.push(() => rm(first.dir, { recursive: true, force: true }));

    const second = await harness({ dir: first.dir, createApp: false });
    second.appId = first.appId;
    assert.equal((await second.engine.getDeployment(started.deploymentId)).status, 'ROLLED_BACK');
    assert.equal(await second.value('half-made'), undefined, 'nothing is left behind');
    assert.equal(await second.value('a'), 1);
    const events = await second.engine.describeStackEvents({ appId: first.appId, envName: 'dev', deploymentId: started.deploymentId, afterSeq: 0 });
    assert.ok(
      events.some((e) => e.logicalId === 'N' && e.status === 'DELETE_COMPLETE'),
      'the rollback deleted it',
    );
  });
});
