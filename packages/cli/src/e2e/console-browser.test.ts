import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { chromium, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { CONTROL_PATH, CONTROL_TARGET_PREFIX, SIGNING_SERVICE, type ControlOperation, type ControlOperations } from '@forte/protocol';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONSOLE_SESSION_COOKIE, CONSOLE_SESSION_PATH } from '@forte/protocol/console-paths';
import { CHROMIUM, CHROMIUM_ARGS, REPO } from './example-app.js';
import { missingBrowser } from './example-app.js';
import { checkPage, watchedPage } from './console-browser-kit.js';
import { runForte, type ForteRun } from './forte-runner.js';

const skipReason = missingBrowser('the web console in Chromium');

void describe('the web console in headless Chromium, opened with `forte console`', { skip: skipReason }, () => {
  let work: string;
  let home: string;
  let root: string;
  let artifacts: string;
  let browser: Browser | undefined;
  let cloud: { url: string; accessKeyId: string; secretAccessKey: string };
  // Test faults on: the slow Forte::Test::Resource lets a test watch a push while it runs.
  const forte = (args: string[]): Promise<ForteRun> => runForte(args, { cwd: root, home, env: { FORTE_TEST_FAULTS: '1' } });
  const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

  /** The control API, signed with the cloud's admin keys as the CLI signs: where the test checks what the console did. */
  const control = async <O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> => {
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
    work = mkdtempSync(join(tmpdir(), 'forte-console-'));
    home = join(work, 'home');
    root = join(work, 'app');
    artifacts = join(REPO, 'test-artifacts', 'console');
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(root);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await runForte(['cloud', 'stop'], { cwd: work, home });
    rmSync(work, { recursive: true, force: true });
  });

  /** A page that records every console error and uncaught exception, to assert there are none. */
  const watched = watchedPage;
  const check = (page: Page, name: string): Promise<void> => checkPage(page, artifacts, name);

  void it('walks apps → environment → resources → deployments, creates and deletes environments, signs out, and is usable at 390×844', async () => {
    ok(await forte(['init', '--amplify', '{"projectName":"consoleapp","envName":"dev"}', '--yes']), 'init');
    ok(await forte(['add', 'auth', '--yes']), 'add auth');
    ok(await forte(['push', '--yes']), 'push dev');
    ok(await forte(['env', 'add', 'prod', '--yes']), 'env add prod');
    ok(await forte(['push', '--yes']), 'push prod');
    ok(await forte(['env', 'checkout', 'dev']), 'checkout dev');
    cloud = {
      url: (JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url,
      ...(JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string }),
    };
    const appId = (
      JSON.parse(readFileSync(join(root, 'amplify', 'team-provider-info.json'), 'utf8')) as Record<string, { awscloudformation: { AmplifyAppId: string } }>
    )['dev']!.awscloudformation.AmplifyAppId;
    // prod's user pool holds a user: deleting prod loses it, which the console must say.
    const prodPool = (await control('DescribeStack', { appId, envName: 'prod' })).resources.find((r) => r.resourceType.endsWith('::Cognito::UserPool'));
    assert.ok(prodPool, 'prod has a user pool');
    const cognito = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud });
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: prodPool.physicalId, Username: 'kept@example.com', MessageAction: 'SUPPRESS' }));

    const run = await forte(['console', '--no-open']);
    ok(run, 'forte console --no-open');
    const link = /(http:\/\/\S+\/_forte\/console\/login\?token=\S+)/.exec(run.stdout)?.[1];
    assert.ok(link, run.stdout);
    assert.ok(!run.stdout.includes(cloud.secretAccessKey), 'the secret is never printed');

    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watched(context);

    // Signed out: the sign-in page.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}`);
    await page.getByRole('heading', { name: 'Sign in to the Forte console' }).waitFor();
    await check(page, '1-sign-in');

    // The login link signs in and lands on the apps: the apps listed (session check and ListApps answered).
    // How long that takes is printed, not asserted: a test shares the machine, so its timings are for people to read.
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(i === 0 ? link : `${cloud.url}/_forte/console/`);
      await page.getByRole('link', { name: 'consoleapp' }).waitFor();
      loads.push(Math.round(await page.evaluate(() => performance.now())));
    }
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    console.log(`# console apps page interactive after ${loads.join(', ')} ms (the first through the login link's redirect)`);
    await check(page, '2-apps');

    // Apps → the app (by keyboard) → its environments.
    await page.getByRole('link', { name: 'consoleapp' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    const envTable = page.getByRole('region', { name: 'Environments' });
    await envTable.getByRole('link', { name: 'prod' }).waitFor();
    assert.match((await envTable.getByRole('row').filter({ hasText: 'dev' }).textContent()) ?? '', /DEPLOYED/);
    await check(page, '3-app-environments');

    // The environment: resources with status and endpoints, deployments.
    await envTable.getByRole('link', { name: 'dev' }).click();
    await page.getByRole('heading', { name: 'Environment dev' }).waitFor();
    await page.getByRole('region', { name: 'Resources' }).getByText('Forte::Cognito::UserPool').first().waitFor();
    const deployments = page.getByRole('region', { name: 'Deployments' });
    await deployments.getByText('SUCCEEDED').first().waitFor();
    assert.match((await deployments.textContent()) ?? '', /push/);
    const html = await page.content();
    assert.ok(!html.includes(cloud.secretAccessKey), 'no secret rendered');
    await check(page, '4-environment');

    // A deployment's events.
    await deployments.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Deployment', exact: true }).waitFor();
    await page.getByRole('region', { name: 'Events' }).getByText('DEPLOYMENT_COMPLETE').waitFor();
    await page.getByRole('region', { name: 'Changes' }).getByRole('row').filter({ hasText: 'UserPool' }).first().waitFor();
    await check(page, '5-deployment');

    // The phone layout: no page-wide sideways scrolling (tables scroll in their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'dev' }).click();
    await page.getByRole('heading', { name: 'Environment dev' }).waitFor();
    await page.getByRole('region', { name: 'Resources' }).waitFor();
    const width = await page.evaluate(
      () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
    );
    assert.ok(width <= 390, `the page is ${width} px wide at 390`);
    await check(page, '6-environment-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Create an environment through the UI; the control API has it.
    await page.getByRole('link', { name: `App ${appId}` }).click();
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    await page.getByLabel('Name (2 to 10 lowercase letters)').fill('staging');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await envTable.getByRole('link', { name: 'staging' }).waitFor();
    assert.ok((await control('ListEnvironments', { appId })).environments.some((e) => e.envName === 'staging'));

    // Delete prod: the console lists what it holds and wants the name typed.
    await page.getByRole('button', { name: 'Delete environment prod' }).click();
    const panel = page.getByRole('region', { name: 'Delete environment prod' });
    await panel.getByText('1 users').waitFor();
    const confirm = panel.getByRole('button', { name: 'Delete prod' });
    assert.equal(await confirm.isDisabled(), true, 'not before the name is typed');
    await panel.getByLabel('Type prod to confirm').fill('pro');
    assert.equal(await confirm.isDisabled(), true);
    await check(page, '7-delete-environment');
    await panel.getByLabel('Type prod to confirm').fill('prod');
    await confirm.click();
    await panel.waitFor({ state: 'detached' });
    await envTable.getByRole('link', { name: 'prod' }).waitFor({ state: 'detached' });
    assert.deepEqual((await control('ListEnvironments', { appId })).environments.map((e) => e.envName).sort(), ['dev', 'staging']);

    // Delete staging, which holds nothing.
    await page.getByRole('button', { name: 'Delete environment staging' }).click();
    const emptyPanel = page.getByRole('region', { name: 'Delete environment staging' });
    await emptyPanel.getByText('Its resources hold no data').waitFor();
    await emptyPanel.getByLabel('Type staging to confirm').fill('staging');
    await emptyPanel.getByRole('button', { name: 'Delete staging' }).click();
    await envTable.getByRole('link', { name: 'staging' }).waitFor({ state: 'detached' });
    assert.deepEqual(
      (await control('ListEnvironments', { appId })).environments.map((e) => e.envName),
      ['dev'],
    );
    // The app still has an environment: it cannot be deleted.
    assert.equal(await page.getByRole('button', { name: 'Delete app' }).isDisabled(), true);

    // Dev's pool links to its users page (whose writes console-users-browser checks): a user the SDK made is listed.
    const devPool = (await control('DescribeStack', { appId, envName: 'dev' })).resources.find((r) => r.resourceType.endsWith('::Cognito::UserPool'))!;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: devPool.physicalId,
        Username: 'ada@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }],
      }),
    );
    await envTable.getByRole('link', { name: 'dev' }).click();
    await page.getByRole('link', { name: /^Users of / }).click();
    const users = page.getByRole('region', { name: 'Users', exact: true });
    await users.getByRole('row').filter({ hasText: 'ada@example.com' }).first().waitFor();
    await check(page, '8-users');
    await page.getByRole('link', { name: `App ${appId}` }).click();
    await page.getByRole('heading', { name: 'Environments' }).waitFor();

    // Signing out sends every page back to the sign-in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the Forte console' }).waitFor();
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    await page.getByRole('heading', { name: 'Sign in to the Forte console' }).waitFor();
    // The link was used: it signs nobody in again.
    assert.equal((await context.request.get(link, { maxRedirects: 0 })).status(), 401);

    // Signing in with the admin keys.
    await page.goto(`${cloud.url}/_forte/console/`);
    await page.getByLabel('Access key id').fill(cloud.accessKeyId);
    await page.getByLabel('Secret access key').fill(cloud.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();

    // A forged session cookie (the real one with its secret changed) signs nobody in: the page asks to sign in,
    // and the pipe refuses a call made with it, the session's CSRF token and all; the real cookie's call is served.
    const real = (await context.cookies()).find((c) => c.name === CONSOLE_SESSION_COOKIE);
    assert.ok(real, 'the session cookie is set');
    const { csrfToken } = (await (await context.request.get(`${cloud.url}${CONSOLE_SESSION_PATH}`)).json()) as { csrfToken: string };
    const listApps = (request: APIRequestContext) =>
      request.post(`${cloud.url}${CONSOLE_PIPE_PATH}control/`, {
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}ListApps`, [CONSOLE_CSRF_HEADER]: csrfToken },
        data: '{}',
      });
    assert.equal((await listApps(context.request)).status(), 200);
    const forgedContext = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    await forgedContext.addCookies([{ ...real, value: `${real.value.slice(0, -1)}${real.value.endsWith('A') ? 'B' : 'A'}` }]);
    const forged = await watched(forgedContext);
    await forged.page.goto(`${cloud.url}/_forte/console/apps/${appId}`);
    await forged.page.getByRole('heading', { name: 'Sign in to the Forte console' }).waitFor();
    const refused = await listApps(forgedContext.request);
    assert.equal(refused.status(), 401, await refused.text());
    assert.doesNotMatch(await refused.text(), /consoleapp/);
    assert.deepEqual(forged.errors, [], 'the forged cookie only brings the sign-in page');
    await forgedContext.close();

    assert.deepEqual(errors, [], 'no console errors (a Content-Security-Policy violation would be one)');
    await context.close();
  });

  void it('follows a running deployment live: its events appear as they happen, until it ends', async () => {
    const { app } = await control('CreateApp', { name: 'liveapp' });
    await control('CreateEnvironment', { appId: app.appId, envName: 'live' });
    const { changeSet } = await control('CreateChangeSet', {
      appId: app.appId,
      envName: 'live',
      template: {
        Resources: {
          Quick: { Type: 'Forte::Test::Resource', Properties: { Value: 'q' } },
          Slow: { Type: 'Forte::Test::Resource', Properties: { Value: 's', DelayMs: 12_000 } },
          Things: {
            Type: 'Forte::DynamoDB::Table',
            Properties: {
              TableName: 'things-live',
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              BillingMode: 'PAY_PER_REQUEST',
            },
          },
        },
      },
    });
    // Signed in first, so the page opens while the slow resource is still being created.
    const { url: link } = await control('CreateConsoleLoginLink', {});
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watched(context);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    const { deployment } = await control('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
    await page.goto(`${cloud.url}/_forte/console/apps/${app.appId}/env/live/deployments/${deployment.deploymentId}`);
    await page.getByText('(following live)').waitFor();
    const events = page.getByRole('region', { name: 'Events' });
    await events.getByRole('row').filter({ hasText: 'Quick' }).filter({ hasText: 'CREATE_COMPLETE' }).waitFor();
    assert.equal(await events.getByText('DEPLOYMENT_COMPLETE').count(), 0, 'seen while it runs');
    await events.getByText('DEPLOYMENT_COMPLETE').waitFor({ timeout: 30_000 });
    await page.getByText('(following live)').waitFor({ state: 'detached' });
    assert.match((await page.locator('.facts').textContent()) ?? '', /SUCCEEDED/);
    await check(page, '9-deployment-live');

    // The table's items, a page of 25 at a time, keys first.
    const dynamodb = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb/`, region: 'us-east-1', credentials: cloud });
    const liveStack = await control('DescribeStack', { appId: app.appId, envName: 'live' });
    const table = liveStack.resources.find((r) => r.resourceType === 'Forte::DynamoDB::Table');
    assert.ok(table, JSON.stringify(liveStack));
    const tableName = table.physicalId;
    for (let i = 0; i < 30; i++) {
      const id = `item-${String(i).padStart(2, '0')}`;
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, size: { N: String(i) }, tags: { L: [{ S: 'a' }] } } }));
    }
    await page.getByRole('link', { name: 'live' }).click();
    await page.getByRole('link', { name: 'Items of Things' }).click();
    const items = page.getByRole('region', { name: 'Items' });
    await items.getByRole('columnheader', { name: 'id (key)' }).waitFor();
    assert.equal(await items.getByRole('row').count(), 26, 'a header and 25 items');
    const seen = new Set(await items.getByRole('row').locator('td:first-child').allTextContents());
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('status').filter({ hasText: 'Page 2 · 5 items' }).waitFor();
    for (const id of await items.getByRole('row').locator('td:first-child').allTextContents()) seen.add(id);
    assert.equal(seen.size, 30, 'every item shown once');
    assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true, 'no page after the last');
    await check(page, '10-table-items');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
