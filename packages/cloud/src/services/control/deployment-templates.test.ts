import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  SIGNING_SERVICE,
  controlApi,
  type ControlOperation,
  type ControlOperations,
  type Template,
} from '@forte/protocol';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { createCloud, type Cloud } from '../../server.js';
import { TEST_RESOURCE_TYPE } from './test-resource.js';

// FORTE_TEST_DATABASE=postgres runs the cloud on the PostgreSQL test server (a schema of its own).
const onPostgres = process.env.FORTE_TEST_DATABASE === 'postgres';
const postgres = onPostgres ? await testPostgres() : undefined;
// Made at the top of the file, so the schema is dropped after the file (not after the hook that starts the cloud).
const database = postgres?.ok === true ? freshPostgresUrl() : undefined;

const T = TEST_RESOURCE_TYPE;
const NESTED_URL = 'amplify-cfn-templates/api/main-template.json';

/** A root stack with one nested stack, as a push sends them. */
function push(nested: Template): { template: Template; nestedTemplates: Record<string, Template>; nestedTemplateFiles: Record<string, string> } {
  return {
    template: {
      Resources: {
        Bucket: { Type: T, Properties: { Value: 'deployment bucket' } },
        apimain: { Type: 'Forte::Stack', Properties: { TemplateURL: NESTED_URL } },
      },
    },
    nestedTemplates: { [NESTED_URL]: nested },
    nestedTemplateFiles: { [NESTED_URL]: 'amplify/backend/api/main/build/cloudformation-template.json' },
  };
}

const v1: Template = { Resources: { Todo: { Type: T, Properties: { Value: 'todo v1' } }, Note: { Type: T, Properties: { Value: 'note' } } } };
const v2: Template = {
  Resources: {
    Todo: { Type: T, Properties: { Value: 'todo v2' }, DependsOn: 'Note' },
    Note: { Type: T, Properties: { Value: 'note' } },
    Tag: { Type: T, Properties: { Value: 't' } },
  },
};
const failing: Template = { Resources: { ...v2.Resources, Todo: { Type: T, Properties: { Value: 'todo v3', FailOn: 'update' }, DependsOn: 'Note' } } };

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function clientFor(cloud: Cloud, secretAccessKey = cloud.adminCredentials.secretAccessKey) {
  const base = new URL(cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.kernel.config.region,
    credentials: { accessKeyId: cloud.adminCredentials.accessKeyId, secretAccessKey },
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
      return controlApi[operation].output.parse(body) as ControlOperations[O]['output'];
    },
  };
}

void describe(
  'deployment templates and their diff (FORTE_TEST_DATABASE=postgres runs it there)',
  { skip: postgres?.ok === false ? postgres.reason : false },
  () => {
    let dir: string;
    let cloud: Cloud;
    let client: ReturnType<typeof clientFor>;
    let appId: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'forte-deployment-templates-'));
      cloud = await createCloud({
        dataDir: dir,
        database,
        port: 0,
        testFaults: true,
        logStream: { write: (line) => process.env.FORTE_TEST_LOG === '1' && process.stderr.write(line) },
      });
      client = clientFor(cloud);
      appId = (await client.call('CreateApp', { name: 'DiffApp' })).app.appId;
      await client.call('CreateEnvironment', { appId, envName: 'dev' });
    });
    after(async () => {
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    });

    const deploy = async (nested: Template) => {
      const { changeSet } = await client.call('CreateChangeSet', { appId, envName: 'dev', ...push(nested), initiatedBy: 'alice@laptop (pid 7)' });
      const { deployment } = await client.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
      for (;;) {
        const { deployment: d } = await client.call('GetDeployment', { deploymentId: deployment.deploymentId });
        // A deployment stands (SUCCEEDED) before the engine has compacted the earlier change sets; its last event
        // (DEPLOYMENT_COMPLETE) comes after that, so the test waits for it too.
        if (d.status !== 'IN_PROGRESS' && d.status !== 'ROLLING_BACK' && (d.status !== 'SUCCEEDED' || (await completed(d.deploymentId)))) return d;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const completed = async (deploymentId: string): Promise<boolean> =>
      (await client.call('DescribeStackEvents', { appId, envName: 'dev', deploymentId })).events.at(-1)?.status === 'DEPLOYMENT_COMPLETE';
    const storedTemplates = async (): Promise<number> => Number((await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_templates'))?.n);
    /** The change sets that still hold their templates. */
    const keptChangeSets = async (): Promise<string[]> =>
      (
        await cloud.kernel.sql.all<{ status: string }>("SELECT status FROM control_change_sets WHERE app_id = ? AND template <> '{}' ORDER BY created_at", [
          appId,
        ])
      ).map((r) => String(r.status));

    void it('keeps each deployment’s templates once per content, diffs against the running deployment, skips a rolled-back one and records the caller', async () => {
      const first = await deploy(v1);
      assert.equal(first.status, 'SUCCEEDED');
      assert.equal(first.initiatedBy, 'alice@laptop (pid 7)');
      assert.equal(first.principal, `admin ${cloud.adminCredentials.accessKeyId}`);
      assert.equal(await storedTemplates(), 2);

      const firstDiff = await client.call('DescribeTemplateDiff', { deploymentId: first.deploymentId });
      assert.equal(firstDiff.baseDeploymentId, undefined);
      assert.deepEqual(
        firstDiff.stacks.map((s) => [s.nested, s.stack, s.change]),
        [
          [false, (await client.call('GetEnvironment', { appId, envName: 'dev' })).environment.stackName, 'added'],
          [true, 'apimain', 'added'],
        ],
      );

      const second = await deploy(v2);
      assert.equal(second.status, 'SUCCEEDED');
      // Once a change set is executed, the earlier ones give up their templates (kept by content per deployment).
      assert.deepEqual(await keptChangeSets(), ['EXECUTED']);
      // The root template did not change: only the nested one is stored again.
      assert.equal(await storedTemplates(), 3);
      const diff = await client.call('DescribeTemplateDiff', { deploymentId: second.deploymentId });
      assert.equal(diff.baseDeploymentId, first.deploymentId);
      assert.equal(diff.stacks.length, 1);
      const [api] = diff.stacks;
      assert.equal(api?.stack, 'apimain');
      assert.equal(api?.change, 'changed');
      assert.equal(api?.sourceFile, 'amplify/backend/api/main/build/cloudformation-template.json');
      assert.deepEqual(api?.resources, [
        {
          logicalId: 'Todo',
          resourceType: T,
          change: 'changed',
          properties: [
            { name: 'Value', change: 'changed' },
            { name: 'DependsOn', change: 'added' },
          ],
        },
        { logicalId: 'Tag', resourceType: T, change: 'added', properties: [{ name: 'Value', change: 'added' }] },
      ]);
      assert.ok(api?.lines.includes(`[~] ${T} Todo`), api?.lines.join('\n'));
      assert.ok(api?.lines.some((line) => line.includes('[+] "todo v2"')));

      const templates = await client.call('GetDeploymentTemplates', { deploymentId: second.deploymentId });
      assert.deepEqual(templates.stacks.find((s) => s.nested)?.template, v2);
      assert.equal(templates.stacks.find((s) => s.nested)?.templateUrl, NESTED_URL);
      assert.deepEqual(templates.stacks.find((s) => !s.nested)?.template, push(v2).template);

      // The same templates again: nothing more is stored, and nothing differs.
      const same = await deploy(v2);
      assert.equal(await storedTemplates(), 3);
      const sameDiff = await client.call('DescribeTemplateDiff', { deploymentId: same.deploymentId });
      assert.equal(sameDiff.baseDeploymentId, second.deploymentId);
      assert.deepEqual(sameDiff.stacks, []);

      // A failed push rolls back: its diff is still there, against what ran when it started.
      const rolledBack = await deploy(failing);
      assert.equal(rolledBack.status, 'ROLLED_BACK');
      assert.match(rolledBack.error ?? '', /^apimain\.Todo: FailOn update/);
      const failedDiff = await client.call('DescribeTemplateDiff', { deploymentId: rolledBack.deploymentId });
      assert.equal(failedDiff.baseDeploymentId, same.deploymentId);
      assert.deepEqual(failedDiff.stacks[0]?.resources[0]?.properties, [
        { name: 'Value', change: 'changed' },
        { name: 'FailOn', change: 'added' },
      ]);
      const { environment } = await client.call('GetEnvironment', { appId, envName: 'dev' });
      assert.equal(environment.status, 'DEPLOY_FAILED');
      assert.equal(environment.lastDeploymentId, rolledBack.deploymentId);

      // Each resource's last event: the restored one says its rollback put it back.
      const stack = await client.call('DescribeStack', { appId, envName: 'dev' });
      const status = Object.fromEntries(stack.resources.map((r) => [r.logicalId, [r.status, r.statusReason]]));
      assert.deepEqual(status['apimain.Todo'], ['UPDATE_COMPLETE', 'rollback']);
      assert.deepEqual(status['apimain.Tag'], ['CREATE_COMPLETE', undefined]);
      assert.deepEqual(status['Bucket'], ['CREATE_COMPLETE', undefined]);
      assert.deepEqual(status['apimain'], [undefined, undefined]);

      // A rolled-back deployment compacts none; the next successful one both earlier change sets.
      assert.deepEqual(await keptChangeSets(), ['EXECUTED', 'EXECUTED']);
      // The next push is compared with the deployment that ran, not with the one that rolled back.
      const next = await deploy(v1);
      assert.equal(next.status, 'SUCCEEDED');
      assert.deepEqual(await keptChangeSets(), ['EXECUTED']);
      // A change set made after (a preview nobody executed) stays until a later deployment.
      const preview = await client.call('CreateChangeSet', { appId, envName: 'dev', ...push(v2), initiatedBy: 'bob' });
      assert.deepEqual(await keptChangeSets(), ['EXECUTED', 'CREATED']);
      assert.equal((await client.call('DescribeChangeSet', { changeSetId: preview.changeSet.changeSetId })).changeSet.status, 'CREATED');
      const nextDiff = await client.call('DescribeTemplateDiff', { deploymentId: next.deploymentId });
      assert.equal(nextDiff.baseDeploymentId, same.deploymentId);
      assert.deepEqual(
        nextDiff.stacks[0]?.resources.map((r) => [r.logicalId, r.change]),
        [
          ['Todo', 'changed'],
          ['Tag', 'removed'],
        ],
      );

      const listed = await client.call('ListDeployments', { appId, envName: 'dev' });
      assert.deepEqual(
        listed.deployments.map((d) => [d.status, d.principal]),
        ['SUCCEEDED', 'ROLLED_BACK', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'].map((s) => [s, `admin ${cloud.adminCredentials.accessKeyId}`]),
      );

      // Deleting the environment removes every stack; its deletion records the caller too.
      const removed = await client.call('DeleteEnvironment', { appId, envName: 'dev' });
      assert.equal(removed.deployment.principal, `admin ${cloud.adminCredentials.accessKeyId}`);
      const removedDiff = await client.call('DescribeTemplateDiff', { deploymentId: removed.deployment.deploymentId });
      assert.equal(removedDiff.baseDeploymentId, next.deploymentId);
      assert.deepEqual(
        removedDiff.stacks.map((s) => [s.stack, s.change]),
        [
          ['root', 'removed'],
          ['apimain', 'removed'],
        ],
      );
      assert.deepEqual((await client.call('GetDeploymentTemplates', { deploymentId: removed.deployment.deploymentId })).stacks, []);
      // History outlives the environment: an old deployment's templates are still there.
      assert.deepEqual((await client.call('GetDeploymentTemplates', { deploymentId: second.deploymentId })).stacks.find((s) => s.nested)?.template, v2);
    });

    void it('refuses unsigned and wrongly signed callers, and names a deployment that does not exist', async () => {
      for (const op of ['DescribeTemplateDiff', 'GetDeploymentTemplates'] as const) {
        const unsigned = await client.send(op, { deploymentId: 'dep-x' }, false);
        assert.equal(unsigned.status, 403);
        assert.equal(unsigned.body['__type'], 'MissingAuthenticationTokenException');
        const forged = await clientFor(cloud, 'not-the-secret-key-of-this-cloud').send(op, { deploymentId: 'dep-x' });
        assert.equal(forged.status, 403);
        await assert.rejects(client.call(op, { deploymentId: 'dep-nope' }), { code: 'ResourceNotFoundException', status: 404 });
        await assert.rejects(client.call(op, { deploymentId: '' }), { code: 'ValidationException', status: 400 });
      }
    });
  },
);
