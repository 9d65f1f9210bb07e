import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CONTROL_PATH, CONTROL_TARGET_PREFIX, SIGNING_SERVICE } from '@forte/protocol';
import { createControlService, createSsmService, ENVIRONMENT_CLEANUPS, provide, type Kernel, type Service } from '@forte/cloud';
import { createTestControlClient, makeTempDir, startTestCloud, type TestCloud } from './index.js';

// Amplify deletes /amplify/<appId>/<env>/ parameters when an environment is removed: DeleteEnvironment does it here.
let cloud: TestCloud;
let ssm: SSMClient;
before(async () => {
  cloud = await startTestCloud();
  ssm = new SSMClient({ endpoint: cloud.url, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

/** A control API call signed with the admin keys, as the CLI makes it. */
async function control(operation: string, input: unknown): Promise<Record<string, unknown>> {
  const url = new URL(cloud.url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
  const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}` };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: CONTROL_PATH, headers, body });
  const { host: _host, ...sendHeaders } = signed.headers as Record<string, string>;
  const res = await fetch(new URL(CONTROL_PATH, url), { method: 'POST', headers: sendHeaders, body });
  const answer = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(answer));
  return answer;
}

const namesUnder = async (Path: string): Promise<string[]> =>
  ((await ssm.send(new GetParametersByPathCommand({ Path, Recursive: true }))).Parameters ?? []).map((p) => p.Name!);

void describe('DeleteEnvironment and SSM parameters', () => {
  void it("deletes the environment's /amplify/<appId>/<env>/ parameters, and only those", async () => {
    const { app } = (await control('CreateApp', { name: 'ssmclean' })) as { app: { appId: string } };
    await control('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const kept = [`/amplify/${app.appId}/prod/AMPLIFY_fn_TOKEN`, `/amplify/${app.appId}/dev2/AMPLIFY_fn_TOKEN`, '/amplify/otherapp/dev/AMPLIFY_fn_TOKEN'];
    const dropped = [`/amplify/${app.appId}/dev/AMPLIFY_fn_TOKEN`, `/amplify/${app.appId}/dev/AMPLIFY_function_fn_setting`];
    for (const Name of [...kept, ...dropped]) await ssm.send(new PutParameterCommand({ Name, Value: 'v', Type: 'SecureString' }));

    const { deployment } = (await control('DeleteEnvironment', { appId: app.appId, envName: 'dev' })) as { deployment: { status: string } };
    assert.equal(deployment.status, 'SUCCEEDED');
    assert.deepEqual(await namesUnder(`/amplify/${app.appId}/dev`), []);
    assert.deepEqual((await namesUnder('/amplify')).sort(), [...kept].sort());
    assert.ok(cloud.logs().some((line) => line.includes('deleted the parameters of a deleted environment')));
    const pending = await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM control_environment_cleanups');
    assert.equal(pending?.n, 0, 'nothing is left pending');
  });

  void it('finishes at the next start a cleanup the cloud did not complete before it stopped', async () => {
    const dataDir = await makeTempDir('forte-cleanup-restart');
    after(() => rm(dataDir, { recursive: true, force: true }));
    // The first run's cleanup fails (as if it stopped before it ran); its parameters stay until the next start.
    const failingCleanup = (kernel: Kernel): Service => ({
      ...createSsmService(kernel),
      provides: [
        provide(ENVIRONMENT_CLEANUPS, () => {
          throw new Error('stopped before dropping anything');
        }),
      ],
    });
    const first = await startTestCloud({ dataDir, services: [createControlService, failingCleanup] });
    const client = createTestControlClient(first);
    const { app } = await client.call('CreateApp', { name: 'restarted' });
    await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const firstSsm = new SSMClient({ endpoint: first.url, region: 'us-east-1', credentials: first.credentials, maxAttempts: 1 });
    const name = `/amplify/${app.appId}/dev/AMPLIFY_fn_TOKEN`;
    await firstSsm.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'SecureString' }));
    assert.equal((await client.call('DeleteEnvironment', { appId: app.appId, envName: 'dev' })).deployment.status, 'SUCCEEDED');
    await first.close();

    await using second = await startTestCloud({ dataDir, services: [createControlService, createSsmService] });
    const secondSsm = new SSMClient({ endpoint: second.url, region: 'us-east-1', credentials: second.credentials, maxAttempts: 1 });
    const left = async (): Promise<number> =>
      ((await secondSsm.send(new GetParametersByPathCommand({ Path: `/amplify/${app.appId}/dev` }))).Parameters ?? []).length;
    const deadline = Date.now() + 10_000;
    while ((await left()) > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(await left(), 0, 'the restarted cloud dropped the parameters');
  });
});
