import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { createLogger } from '../../kernel/logger.js';
import { createSecretBox } from '../../kernel/secret-box.js';
import type { ResourceHandler } from '../../kernel/types.js';
import { readDeployed, readJournal } from './control-store.js';
import { noEchoMask } from './no-echo-parameters.js';
import { storedText } from './no-echo-stored-text.test-helper.js';
import { hiddenValues } from './sealed-properties.js';
import { createStackEngine, type StackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler, readTestResourceValue } from './test-resource.js';

const T = TEST_RESOURCE_TYPE;
const SECRET = 'idp-client-secret-5d2e90ab';
const ROTATED = 'idp-client-secret-rotated-c41f';
const KEY = Buffer.alloc(32, 9);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/**
 * The secret used whole and inside a longer string, and a resource that comes after both (`Later`);
 * `later` and `added` are merged into the properties of `Later` and of an optional new resource `Added`.
 */
function template(later: Record<string, unknown> = {}, added?: Record<string, unknown>): Template {
  const res = (props: Record<string, unknown>, dependsOn?: string[]): Template['Resources'][string] => ({
    Type: T,
    Properties: props,
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
  });
  return {
    Parameters: { ClientSecret: { Type: 'String', NoEcho: true } },
    Resources: {
      Whole: res({ Name: 'whole', Value: { Ref: 'ClientSecret' } }),
      Inside: res({ Name: 'inside', Value: { 'Fn::Sub': 'client_secret=${ClientSecret}&grant=code' } }),
      Later: res({ Name: 'later', Value: 1, ...later }, ['Whole', 'Inside']),
      ...(added ? { Added: res({ Name: 'added', Value: { Ref: 'ClientSecret' }, ...added }) } : {}),
    },
  };
}

interface Harness {
  dir: string;
  sql: SqlStore;
  engine: StackEngine;
  appId: string;
  /** The properties each create was given, by physical name. */
  created: Map<string, Record<string, unknown>>;
  /** Resolves when a handler call with `Crash` in its properties was made (and left hanging). */
  crashed: (name: string) => Promise<void>;
  deploy(secret: string, tpl: Template): Promise<{ deploymentId: string; status: string; error?: string | undefined }>;
  value(name: string): Promise<unknown>;
  logs: string[];
}

/**
 * An engine on a real database whose test resources, given `Crash: 'create' | 'update'`, never answer that call
 * (as if the cloud died during it) when `crashes` is on; a second harness on the same folder is the restarted cloud.
 */
async function harness(options: { dir?: string; appId?: string; crashes?: boolean; refuseToRestore?: boolean } = {}): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'forte-noecho-rollback-')));
  const sql = await openTestStore(dir);
  const inner = createTestResourceHandler(sql);
  const created = new Map<string, Record<string, unknown>>();
  const reached = new Map<string, () => void>();
  const waits = new Map<string, Promise<void>>();
  const crashed = (name: string): Promise<void> => {
    let wait = waits.get(name);
    if (!wait) {
      wait = new Promise<void>((resolve) => reached.set(name, resolve));
      waits.set(name, wait);
    }
    return wait;
  };
  const crash = (props: Record<string, unknown>, operation: string): Promise<never> | undefined => {
    if (options.crashes !== true || props['Crash'] !== operation) return undefined;
    void crashed(String(props['Name']));
    reached.get(String(props['Name']))?.();
    return new Promise<never>(() => undefined);
  };
  const handler: ResourceHandler = {
    replaceOn: inner.replaceOn ?? [],
    create: (props, ctx) => {
      created.set(String(props['Name']), props);
      return crash(props, 'create') ?? inner.create(props, ctx);
    },
    update: async (id, props, old, ctx) => {
      // A service whose error quotes what it was given: the value must not reach the messages kept.
      if (options.refuseToRestore === true && props['Value'] === SECRET) throw new Error(`the provider refused the client secret ${SECRET}`);
      return crash(props, 'update') ?? inner.update(id, props, old, ctx);
    },
    delete: (id, props, ctx) => inner.delete(id, props, ctx),
  };
  const logs: string[] = [];
  const engine = createStackEngine({
    sql,
    log: createLogger({ write: (line) => logs.push(line), level: 'debug' }),
    handlerFor: (type) => (type === T ? handler : undefined),
    region: 'us-east-1',
    accountId: '123456789012',
    retryDelaysMs: [5, 5],
    secrets: createSecretBox(KEY),
  });
  await engine.start();
  const appId = options.appId ?? (await engine.registry.createApp('RollbackApp')).appId;
  if (!options.appId) await engine.registry.createEnvironment(appId, 'dev');
  let abandoned = false;
  cleanups.push(async () => {
    if (!abandoned) {
      await engine.idle(5000);
      await sql.close();
    }
    if (!options.dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    dir,
    sql,
    engine,
    appId,
    created,
    crashed,
    async deploy(secret, tpl) {
      const cs = await engine.createChangeSet({ appId, envName: 'dev', template: tpl, parameters: { ClientSecret: secret } });
      const started = await engine.executeChangeSet(cs.changeSetId);
      if (options.crashes === true) {
        abandoned = true;
        return started;
      }
      return engine.waitForDeployment(started.deploymentId);
    },
    value: (name) => readTestResourceValue(sql, name),
    logs,
  };
}

async function assertNothingInClear(sql: SqlStore): Promise<void> {
  const text = await storedText(sql);
  for (const secret of [SECRET, ROTATED]) assert.ok(!text.includes(secret), 'no table keeps the value in clear');
}

void describe('rollback with NoEcho parameters', () => {
  void it('restores the previous value, whole and inside a longer string, when a later resource fails', async () => {
    const h = await harness();
    assert.equal((await h.deploy(SECRET, template())).status, 'SUCCEEDED');
    const before = await readDeployed(h.sql, h.appId, 'dev');
    assert.ok(before.find((r) => r.logicalId === 'Whole')?.sealedProperties, 'the masked resource has a sealed copy');
    assert.equal(before.find((r) => r.logicalId === 'Later')?.sealedProperties, undefined, 'one without NoEcho values has none');

    const failed = await h.deploy(ROTATED, template({ Value: 2, FailOn: 'update' }));
    assert.equal(failed.status, 'ROLLED_BACK', failed.error);
    assert.match(failed.error ?? '', /^Later: FailOn update/);
    assert.equal(await h.value('whole'), SECRET);
    assert.equal(await h.value('inside'), `client_secret=${SECRET}&grant=code`);
    assert.equal(await h.value('later'), 1);
    const journal = await readJournal(h.sql, failed.deploymentId);
    assert.ok(
      journal.some((r) => r.logicalId === 'Whole' && r.operation === 'update' && r.phase === 'started' && typeof r.detail['sealedOldProps'] === 'string'),
      'the update row carries the sealed old properties',
    );
    assert.deepEqual(await readDeployed(h.sql, h.appId, 'dev'), before, 'the deployed state is the one before');

    // The next deployment with the same secret has nothing to change, so the state is still what was deployed.
    const again = await h.engine.createChangeSet({ appId: h.appId, envName: 'dev', template: template(), parameters: { ClientSecret: SECRET } });
    assert.deepEqual(again.changes, []);
    await assertNothingInClear(h.sql);
  });

  void it('the values behind the masks are read off the unmasked properties, whole and inside strings', () => {
    const mask = noEchoMask([SECRET, ROTATED], Buffer.alloc(32, 1));
    const clear = { a: SECRET, b: `x=${ROTATED}&y=${SECRET}`, c: ['plain', { d: `Bearer ${SECRET}.` }], e: 3 };
    assert.match(JSON.stringify(mask(clear)), /"x=\*\*\*\*:[0-9a-f]{16}&y=\*\*\*\*:[0-9a-f]{16}"/);
    assert.deepEqual([...hiddenValues(clear, mask(clear))].sort(), [ROTATED, SECRET].sort());
    assert.deepEqual([...hiddenValues({ a: 'plain' }, { a: 'plain' })], []);
  });

  void it('a rollback step that fails keeps the value out of its message, events, journal and logs', async () => {
    const h = await harness({ refuseToRestore: true });
    assert.equal((await h.deploy(SECRET, template())).status, 'SUCCEEDED');
    const failed = await h.deploy(ROTATED, template({ Value: 2, FailOn: 'update' }));
    assert.equal(failed.status, 'FAILED');
    assert.match(
      failed.error ?? '',
      /Whole \(Forte::Test::Resource\) could not be restored to its previous properties: the provider refused the client secret \*\*\*\*/,
    );
    assert.equal(await h.value('inside'), `client_secret=${SECRET}&grant=code`, 'the other resources were restored');
    const events = await h.engine.describeStackEvents({ appId: h.appId, envName: 'dev', deploymentId: failed.deploymentId });
    assert.ok(events.some((e) => e.logicalId === 'Whole' && e.status === 'UPDATE_FAILED'));
    const answered = JSON.stringify({ failed, events });
    for (const secret of [SECRET, ROTATED]) {
      assert.ok(!answered.includes(secret), 'no answer has the value');
      assert.ok(!h.logs.join('').includes(secret), 'no log line has the value');
    }
    await assertNothingInClear(h.sql);
  });

  void it('restores the previous value after a restart cut the deployment off, and re-runs a cut-off create with the real value', async () => {
    const first = await harness();
    assert.equal((await first.deploy(SECRET, template())).status, 'SUCCEEDED');
    const crashing = await harness({ dir: first.dir, appId: first.appId, crashes: true });
    const started = await crashing.deploy(ROTATED, template({ Value: 2, Crash: 'update' }, { Crash: 'create' }));
    await Promise.all([crashing.crashed('later'), crashing.crashed('added')]);
    assert.equal(await crashing.value('whole'), ROTATED, 'the rotated value was written before the crash');
    assert.equal(await crashing.value('inside'), `client_secret=${ROTATED}&grant=code`);
    assert.equal(crashing.created.get('added')?.['Value'], ROTATED);
    await crashing.sql.close();

    // The restarted cloud (same database, same secret key) rolls the deployment back as it starts.
    const restarted = await harness({ dir: first.dir, appId: first.appId });
    const deployment = await restarted.engine.getDeployment(started.deploymentId);
    assert.equal(deployment.status, 'ROLLED_BACK', deployment.error);
    assert.match(deployment.error ?? '', /interrupted by a restart/);
    assert.equal(await restarted.value('whole'), SECRET);
    assert.equal(await restarted.value('inside'), `client_secret=${SECRET}&grant=code`);
    assert.equal(await restarted.value('later'), 1);
    assert.equal(restarted.created.get('added')?.['Value'], ROTATED, 'the cut-off create ran again with the value, not its mask');
    assert.equal(await restarted.value('added'), undefined, 'and what it made was deleted');
    await assertNothingInClear(restarted.sql);
  });
});
