import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONTROL_PATH, CONTROL_TARGET_PREFIX, SIGNING_SERVICE, type ControlOperation, type ControlOperations } from '@forte/protocol';
import { CHROMIUM, CHROMIUM_ARGS, missingBrowser, REPO } from './example-app.js';
import { checkPage, cloudOf, consoleLoginLink, pageOverflow, watchedPage } from './console-browser-kit.js';
import { initProject, removeProject, runForte, type ForteRun } from './forte-runner.js';
import { writeTestCategoryPlugin } from './test-category-plugin.js';

const skipReason = missingBrowser("the console's deployments in Chromium");

const schema = (fields: string[]): string =>
  `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Todo @model {\n  id: ID!\n${fields.map((f) => `  ${f}\n`).join('')}}\n`;

void describe("the console's deployments in headless Chromium: template diffs, rollback and resource status", { skip: skipReason }, () => {
  let work: string;
  let home: string;
  let root: string;
  let browser: Browser | undefined;
  const artifacts = join(REPO, 'test-artifacts', 'console-deployments');
  // Test faults on: the test category's Forte::Test::Resource fails an update when told to.
  const forte = (args: string[], stdin?: string): Promise<ForteRun> =>
    runForte(args, { cwd: root, home, env: { FORTE_TEST_FAULTS: '1' }, ...(stdin === undefined ? {} : { stdin }) });
  const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

  /** The control API, signed with the cloud's admin keys as the CLI signs: where the test checks what the page shows. */
  const control = async <O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> => {
    const cloud = cloudOf(home);
    const base = new URL(cloud.url);
    const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud, sha256: Hash.bind(null, 'sha256') });
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: base.protocol,
      hostname: base.hostname,
      port: Number(base.port),
      path: CONTROL_PATH,
      headers: { host: base.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}` },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(new URL(CONTROL_PATH, base), { method: 'POST', headers, body });
    const answer = (await response.json()) as ControlOperations[O]['output'];
    assert.equal(response.status, 200, `${operation}: ${JSON.stringify(answer)}`);
    return answer;
  };

  before(async () => {
    // The cloud starts with the first command, so that one already asks for test faults.
    ({ work, home, root } = await initProject('forte-console-deploys-', 'deployapp'));
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    ok(await runForte(['cloud', 'stop'], { cwd: root, home }), 'cloud stop');
    ok(await forte(['plugin', 'add', writeTestCategoryPlugin(work)]), 'plugin add');
    ok(
      await forte(
        ['add', 'api', '--headless'],
        JSON.stringify({
          version: 1,
          serviceConfiguration: {
            serviceName: 'AppSync',
            apiName: 'todos',
            transformSchema: schema(['name: String!']),
            defaultAuthType: { mode: 'API_KEY', expirationTime: 7 },
          },
        }),
      ),
      'add api',
    );
    ok(await forte(['add', 'testcat', 'alpha']), 'add testcat');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await removeProject({ work, home });
  });

  const check = (page: Page, name: string): Promise<void> => checkPage(page, artifacts, name);
  /** At 390×844: nothing but the tables' own boxes scrolls sideways; then the screenshot and axe again. */
  const checkNarrow = async (page: Page, name: string): Promise<void> => {
    await page.setViewportSize({ width: 390, height: 844 });
    const { width, beyond } = await pageOverflow(page, 390);
    assert.ok(width <= 390, `no page-wide sideways scrolling at 390: ${beyond.join('; ')}`);
    await check(page, name);
    await page.setViewportSize({ width: 1280, height: 800 });
  };

  void it('shows the schema change of the second push as its template diff, and a failed push as rolled back with each resource’s status', async () => {
    ok(await forte(['push', '--yes']), 'first push');
    writeFileSync(join(root, 'amplify', 'backend', 'api', 'todos', 'schema.graphql'), schema(['name: String!', 'done: Boolean']));
    ok(await forte(['push', '--yes']), 'push of the changed schema');
    writeFileSync(join(root, 'amplify', 'backend', 'testcat', 'alpha', 'props.json'), JSON.stringify({ Value: 'v2', FailOn: 'update' }));
    const failedPush = await forte(['push', '--yes']);
    assert.equal(failedPush.code, 1, failedPush.stdout);

    const appId = (
      JSON.parse(readFileSync(join(root, 'amplify', 'team-provider-info.json'), 'utf8')) as Record<string, { awscloudformation: { AmplifyAppId: string } }>
    )['dev']!.awscloudformation.AmplifyAppId;
    const [failed, second, first] = (await control('ListDeployments', { appId, envName: 'dev' })).deployments;
    assert.equal(failed?.status, 'ROLLED_BACK');
    assert.equal(second?.status, 'SUCCEEDED');
    // What the cloud says the schema push changed: the API's stack, its schema resource.
    const diff = await control('DescribeTemplateDiff', { deploymentId: second!.deploymentId });
    assert.equal(diff.baseDeploymentId, first?.deploymentId);
    const api = diff.stacks.find((s) => s.stack === 'apitodos');
    assert.ok(api, JSON.stringify(diff.stacks.map((s) => s.stack)));
    const changed = api.resources.find((r) => r.change === 'changed');
    assert.ok(changed, JSON.stringify(api.resources));

    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watchedPage(context);
    await page.goto(await consoleLoginLink({ cwd: root, home }));
    await page.getByRole('link', { name: 'deployapp' }).click();
    await page.getByRole('region', { name: 'Environments' }).getByRole('link', { name: 'dev' }).click();

    // The environment says its last deployment rolled back, and each resource's status.
    const note = page.getByRole('region', { name: 'The last deployment rolled back' });
    await note.waitFor();
    await note
      .getByText(/FailOn update/)
      .first()
      .waitFor();
    const resources = page.getByRole('region', { name: 'Resources' });
    const thing = resources.getByRole('row').filter({ hasText: 'testcatalpha.Thing' });
    await thing.getByText('UPDATE_COMPLETE').waitFor();
    await thing.getByText('rollback', { exact: true }).waitFor();
    const table = resources.getByRole('row').filter({ hasText: `apitodos.${changed.logicalId}` });
    assert.match((await table.first().textContent()) ?? '', /(CREATE|UPDATE)_COMPLETE/);
    await check(page, '1-environment-rolled-back');
    await checkNarrow(page, '2-environment-rolled-back-390');

    // The schema push: its diff names the API stack's changed resource and shows the new field.
    const deployments = page.getByRole('region', { name: 'Deployments' });
    await deployments.getByRole('row').nth(2).getByRole('link').click();
    const stack = page.getByRole('region', { name: 'Template of nested stack apitodos' });
    await stack.waitFor();
    await stack.getByRole('listitem').filter({ hasText: changed.logicalId }).getByText('changed', { exact: true }).waitFor();
    await stack
      .getByText(/\+.*done: Boolean/)
      .first()
      .waitFor();
    assert.equal(await page.getByRole('region', { name: 'Rollback' }).count(), 0, 'a successful push shows no rollback');
    await page.getByRole('link', { name: first!.deploymentId }).waitFor();
    await check(page, '3-schema-diff');
    await checkNarrow(page, '4-schema-diff-390');

    // The failed push: rolled back, why, and what the rollback restored; its diff adds FailOn.
    await page.goBack();
    await page.getByRole('link', { name: 'See the deployment' }).click();
    const rollback = page.getByRole('region', { name: 'Rollback' });
    await rollback.getByText('This push failed and was rolled back: the environment runs what it ran before.').waitFor();
    await rollback
      .getByText(/FailOn update/)
      .first()
      .waitFor();
    const restored = rollback.getByRole('region', { name: 'Rolled back resources' }).getByRole('row').filter({ hasText: 'testcatalpha.Thing' });
    await restored.getByText('restored to its previous properties').waitFor();
    await page.getByRole('region', { name: 'Template of nested stack testcatalpha' }).getByText('FailOn').first().waitFor();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await check(page, '5-rolled-back');
    await checkNarrow(page, '6-rolled-back-390');

    assert.deepEqual(errors, []);
    await context.close();
  });
});
