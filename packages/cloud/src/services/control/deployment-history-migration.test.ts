import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Template } from '@forte/protocol';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { createLogger } from '../../kernel/logger.js';
import { CONTROL_MIGRATIONS } from './control-migrations.js';
import { readDeployment } from './control-store.js';
import { diffStacks } from './deployment-template-diff.js';
import { readDeploymentStacks } from './deployment-templates.js';
import { createStackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler } from './test-resource.js';

const T = TEST_RESOURCE_TYPE;

// A database from before the cloud kept resource statuses and deployment templates: its statuses come from the
// events it has (the migration's backfill), and its deployments' templates from their change sets.
test('a database from before: statuses backfilled from its events, templates read from change sets (FORTE_TEST_DATABASE=postgres runs it there)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-history-migration-'));
  const sql = await openTestStore(dir);
  const handler = createTestResourceHandler(sql);
  const engine = createStackEngine({
    sql,
    log: createLogger({ write: () => undefined, level: 'error' }),
    handlerFor: (type) => (type === T ? handler : undefined),
    region: 'us-east-1',
    accountId: '123456789012',
    retryDelaysMs: [5],
  });
  try {
    await engine.start();
    const { appId } = await engine.registry.createApp('OldApp');
    await engine.registry.createEnvironment(appId, 'dev');
    const deploy = async (template: Template) => {
      const cs = await engine.createChangeSet({ appId, envName: 'dev', template });
      return engine.waitForDeployment((await engine.executeChangeSet(cs.changeSetId)).deploymentId);
    };
    const first = await deploy({ Resources: { X: { Type: T, Properties: { Value: 1 } }, Y: { Type: T, Properties: { Value: 'y' } } } });
    // A database from before kept no deployment stacks: so its change sets were kept (none is removed without them).
    await sql.run('DELETE FROM control_deployment_stacks');
    const second = await deploy({ Resources: { X: { Type: T, Properties: { Value: 2 } }, Y: { Type: T, Properties: { Value: 'y' } } } });
    assert.equal(second.status, 'SUCCEEDED');
    const statuses = async () => Object.fromEntries((await engine.describeStack(appId, 'dev')).resources.map((r) => [r.logicalId, r.status]));
    assert.deepEqual(await statuses(), { X: 'UPDATE_COMPLETE', Y: 'CREATE_COMPLETE' });

    // As it was before those tables had rows; then the migration's backfill, as a start runs it.
    await sql.run('DELETE FROM control_resource_status');
    await sql.run('DELETE FROM control_deployment_stacks');
    assert.deepEqual(await statuses(), { X: undefined, Y: undefined });
    const backfill = CONTROL_MIGRATIONS.find((m) => m.startsWith('INSERT INTO control_resource_status'));
    assert.ok(backfill, 'the backfill migration');
    await sql.run(backfill);
    assert.deepEqual(await statuses(), { X: 'UPDATE_COMPLETE', Y: 'CREATE_COMPLETE' });

    const [before, after] = await Promise.all([first, second].map(async (d) => readDeploymentStacks(sql, (await readDeployment(sql, d.deploymentId))!)));
    assert.deepEqual(
      diffStacks(before!, after!, 'root').map((s) => [s.stack, s.resources]),
      [['root', [{ logicalId: 'X', resourceType: T, change: 'changed', properties: [{ name: 'Value', change: 'changed' }] }]]],
    );
  } finally {
    await engine.idle(5000);
    engine.stop();
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});
