import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Deployment, ForteError, Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { createLogger } from '../../kernel/logger.js';
import { createSecretBox } from '../../kernel/secret-box.js';
import { readDeploymentStacks } from './deployment-templates.js';
import { diffStacks } from './deployment-template-diff.js';
import { storedText } from './no-echo-stored-text.test-helper.js';
import { createStackEngine, type StackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler, readTestResourceValue } from './test-resource.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const SECRET = 'fb-app-secret-3f9a1c77d2';
const ROTATED = 'fb-app-secret-rotated-88e1';

/** The root passes its NoEcho parameter to a nested stack, which uses it whole and inside a longer string, and echoes it in an output. */
const root: Template = {
  Parameters: { AppSecret: { Type: 'String', NoEcho: true } },
  Resources: { auth: { Type: 'Forte::Stack', Properties: { TemplateURL: 'auth.json', Parameters: { ClientSecret: { Ref: 'AppSecret' } } } } },
  Outputs: { Echoed: { Value: { 'Fn::GetAtt': ['auth', 'Outputs.Echoed'] } } },
};
const nested = (extra: Record<string, unknown> = {}): Record<string, Template> => ({
  'auth.json': {
    Parameters: { ClientSecret: { Type: 'String', NoEcho: 'true' } },
    Resources: {
      Provider: { Type: TEST_RESOURCE_TYPE, Properties: { Name: 'provider', Value: { Ref: 'ClientSecret' }, ...extra } },
      Header: { Type: TEST_RESOURCE_TYPE, Properties: { Name: 'header', Value: { 'Fn::Sub': 'Bearer ${ClientSecret}' } } },
    },
    Outputs: { Echoed: { Value: { Ref: 'ClientSecret' } } },
  },
});

async function harness(): Promise<{
  sql: SqlStore;
  engine: StackEngine;
  appId: string;
  logs: string[];
  deploy: (secret: string, extra?: Record<string, unknown>) => Promise<Deployment>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-noecho-'));
  const sql = await openTestStore(dir);
  const logs: string[] = [];
  const handler = createTestResourceHandler(sql);
  const engine = createStackEngine({
    sql,
    log: createLogger({ write: (line) => logs.push(line), level: 'debug' }),
    handlerFor: (type) => (type === TEST_RESOURCE_TYPE ? handler : undefined),
    region: 'us-east-1',
    accountId: '123456789012',
    retryDelaysMs: [5, 5],
    secrets: createSecretBox(Buffer.alloc(32, 7)),
  });
  await engine.start();
  const appId = (await engine.registry.createApp('NoEchoApp')).appId;
  await engine.registry.createEnvironment(appId, 'dev');
  cleanups.push(async () => {
    await engine.idle(5000);
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });
  const deploy = async (secret: string, extra: Record<string, unknown> = {}): Promise<Deployment> => {
    const cs = await engine.createChangeSet({ appId, envName: 'dev', template: root, nestedTemplates: nested(extra), parameters: { AppSecret: secret } });
    const started = await engine.executeChangeSet(cs.changeSetId);
    return engine.waitForDeployment(started.deploymentId);
  };
  return { sql, engine, appId, logs, deploy };
}

void describe('NoEcho parameters', () => {
  void it('reach the resources, and appear in no stored change set, template, diff, resource state, journal, event, output or log', async () => {
    const h = await harness();
    const first = await h.deploy(SECRET);
    assert.equal(first.status, 'SUCCEEDED', first.error);
    assert.equal(await readTestResourceValue(h.sql, 'provider'), SECRET, 'the resource got the value');
    assert.equal(await readTestResourceValue(h.sql, 'header'), `Bearer ${SECRET}`);

    // Unchanged: nothing to do. Rotated: the resources using it are updated.
    const again = await h.engine.createChangeSet({
      appId: h.appId,
      envName: 'dev',
      template: root,
      nestedTemplates: nested(),
      parameters: { AppSecret: SECRET },
    });
    assert.deepEqual(again.changes, []);
    const rotated = await h.deploy(ROTATED);
    assert.equal(rotated.status, 'SUCCEEDED', rotated.error);
    assert.equal(await readTestResourceValue(h.sql, 'provider'), ROTATED);
    // A failing deployment (events, journal, rollback) with the value in play.
    const failed = await h.deploy(SECRET, { FailOn: 'update' });
    assert.equal(failed.status, 'ROLLED_BACK');
    assert.equal(await readTestResourceValue(h.sql, 'provider'), ROTATED, 'the rollback restored the value, not its mask');
    assert.equal(await readTestResourceValue(h.sql, 'header'), `Bearer ${ROTATED}`);

    const { environment, resources } = await h.engine.describeStack(h.appId, 'dev');
    assert.match(String(environment.outputs['Echoed']), /^\*\*\*\*/, 'the output is masked');
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev' });
    const stacks = await readDeploymentStacks(h.sql, rotated);
    const before = await readDeploymentStacks(h.sql, first);
    const diff = diffStacks(before, stacks, environment.stackName);
    const answered = JSON.stringify({ environment, resources, events, stacks, diff, failed, rotated });
    for (const secret of [SECRET, ROTATED]) {
      assert.ok(!answered.includes(secret), 'no read answers the value');
      assert.ok(!(await storedText(h.sql)).includes(secret), 'no table keeps the value in clear');
      assert.ok(!h.logs.join('').includes(secret), 'no log line has the value');
    }
    assert.ok(h.logs.length > 0, 'the engine logged');
  });

  void it('a check that would quote a NoEcho value answers the mask instead', async () => {
    const h = await harness();
    const template: Template = {
      Parameters: { AppSecret: { Type: 'String', NoEcho: true, AllowedValues: ['other'] } },
      Resources: { R: { Type: TEST_RESOURCE_TYPE, Properties: { Value: { Ref: 'AppSecret' } } } },
    };
    await assert.rejects(h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template, parameters: { AppSecret: SECRET } }), (error: ForteError) => {
      assert.match(error.message, /AppSecret/);
      assert.ok(!error.message.includes(SECRET), error.message);
      assert.equal(error.cause, undefined);
      return true;
    });
  });

  void it('are refused by an engine without a secret box, rather than stored in clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-noecho-'));
    const sql = await openTestStore(dir);
    const engine = createStackEngine({
      sql,
      log: createLogger({ write: () => undefined }),
      handlerFor: (type) => (type === TEST_RESOURCE_TYPE ? createTestResourceHandler(sql) : undefined),
      region: 'us-east-1',
      accountId: '123456789012',
    });
    cleanups.push(async () => {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    });
    await engine.start();
    const appId = (await engine.registry.createApp('Plain')).appId;
    await engine.registry.createEnvironment(appId, 'dev');
    await assert.rejects(
      engine.createChangeSet({ appId, envName: 'dev', template: root, nestedTemplates: nested(), parameters: { AppSecret: SECRET } }),
      /AppSecret is NoEcho/,
    );
  });
});
