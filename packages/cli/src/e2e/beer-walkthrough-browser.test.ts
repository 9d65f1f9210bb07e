import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, EXAMPLE_FRONTEND, copyExampleApp, missingBrowser } from './example-app.js';
import { runForte, type ForteRun } from './forte-runner.js';

const skipReason = missingBrowser("the REST walkthrough's browser test");

/** The walkthrough's requests, as scripts/walkthrough.mjs sends them. */
const STORAGE = {
  version: 1,
  serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'beer', tableName: 'beer', partitionKey: { fieldName: 'id', fieldType: 'string' } },
};
const API = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'API Gateway',
    apiName: 'beerapi',
    paths: {
      '/beer': {
        newFunction: { name: 'beerLambda', template: 'crud', crudTable: 'beer' },
        permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] },
      },
    },
  },
};

void describe(
  "Amplify's REST walkthrough in headless Chromium: API Gateway → the CRUD Express function → the beer table, signed-in users only",
  { skip: skipReason },
  () => {
    let work: string;
    let home: string;
    let root: string;
    let browser: Browser | undefined;
    const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, stdin });
    const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

    before(async () => {
      ({ work, home, root } = copyExampleApp('beer-walkthrough'));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser?.close();
      await runForte(['cloud', 'stop'], { cwd: work, home });
      rmSync(work, { recursive: true, force: true });
    });

    void it('publishes the app; a new user signs up, adds and deletes beers that stay after a reload; a signed-out request is refused', async () => {
      ok(await forte(['init', '--amplify', '{"projectName":"beers","envName":"dev"}', '--frontend', EXAMPLE_FRONTEND, '--yes']), 'init');
      ok(await forte(['add', 'auth', '--yes']), 'add auth');
      ok(await forte(['add', 'storage', '--headless'], JSON.stringify(STORAGE)), 'add storage');
      ok(await forte(['add', 'api', '--headless'], JSON.stringify(API)), 'add api');
      ok(await forte(['add', 'hosting', '--yes']), 'add hosting');
      ok(await forte(['publish', '--yes']), 'publish');
      const meta = JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8')) as {
        hosting: Record<string, { output: { Url: string } }>;
        api: { beerapi: { output: { RootUrl: string } } };
      };
      const url = Object.values(meta.hosting)[0]!.output.Url;
      const rootUrl = meta.api.beerapi.output.RootUrl;

      // Signed out, the gateway refuses before the function runs, in API Gateway's shape and with CORS headers.
      const signedOut = await fetch(`${rootUrl}/beer`, { headers: { origin: 'http://example.test' } });
      assert.equal(signedOut.status, 403);
      assert.deepEqual(await signedOut.json(), { message: 'Missing Authentication Token' });
      assert.equal(signedOut.headers.get('access-control-allow-origin'), '*');

      const page = await (await browser!.newContext()).newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(url);
      const email = 'brewer@example.com';
      const password = 'a long passphrase 7';
      await page.getByRole('tab', { name: 'Create Account' }).click();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Confirm Password').fill(password);
      await page.getByRole('button', { name: 'Create Account' }).click();
      // The code is in the mailbox once the sign-up has answered, which the confirmation form says.
      await page.getByLabel('Confirmation Code').waitFor();
      const mailbox = await forte(['mailbox', '--json', '--to', email]);
      ok(mailbox, 'forte mailbox');
      const [newest] = JSON.parse(mailbox.stdout) as { code?: string }[];
      await page.getByLabel('Confirmation Code').fill(newest?.code ?? assert.fail(`no code for ${email}: ${mailbox.stdout}`));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByTestId('signed-in').getByText(email).waitFor();

      const beers = page.getByTestId('beers');
      await page.locator('[data-testid="beers"][data-loaded="true"]').waitFor({ state: 'attached' });
      await page.getByText('No beers yet.').waitFor();
      for (const name of ['Pale Ale', 'Stout']) {
        await page.getByLabel('New beer').fill(name);
        await page.getByRole('button', { name: 'Add' }).click();
        await beers.getByText(name).waitFor();
      }
      await page.getByRole('button', { name: 'Delete Stout' }).click();
      await beers.getByText('Stout').waitFor({ state: 'detached' });
      await page.reload();
      await page.locator('[data-testid="beers"][data-loaded="true"]').waitFor({ state: 'attached' });
      await beers.getByText('Pale Ale').waitFor();
      assert.equal(await beers.locator('li').count(), 1, 'the table holds what is left: Pale Ale');
      assert.equal(await page.getByRole('alert').count(), 0, 'no call failed');
      assert.deepEqual(failures, []);
    });
  },
);
