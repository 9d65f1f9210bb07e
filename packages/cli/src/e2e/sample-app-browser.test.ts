import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, EXAMPLE_FRONTEND, copyExampleApp, missingBrowser } from './example-app.js';
import { runForte, type ForteRun } from './forte-runner.js';

const skipReason = missingBrowser("the sample app's browser test");

void describe(
  'the sample app in headless Chromium: the Authenticator signs a new user up and in, and their to-do list updates live in a second tab',
  { skip: skipReason },
  () => {
    let work: string;
    let home: string;
    let root: string;
    let browser: Browser | undefined;
    const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, stdin });
    const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

    before(async () => {
      ({ work, home, root } = copyExampleApp('sample-app'));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser?.close();
      await runForte(['cloud', 'stop'], { cwd: work, home });
      rmSync(work, { recursive: true, force: true });
    });

    const codeFor = async (email: string): Promise<string> => {
      const mailbox = await forte(['mailbox', '--json', '--to', email]);
      ok(mailbox, 'forte mailbox');
      const [newest] = JSON.parse(mailbox.stdout) as { code?: string }[];
      assert.ok(newest?.code, `no code was sent to ${email}: ${mailbox.stdout}`);
      return newest.code;
    };

    const signIn = async (page: Page, email: string, password: string): Promise<void> => {
      await page.getByRole('tab', { name: 'Sign In' }).click();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };

    void it('publishes the app, then a visitor creates an account, confirms it with the mailed code, is signed in, signs out and back in', async () => {
      ok(await forte(['init', '--amplify', '{"projectName":"sampleapp","envName":"dev"}', '--frontend', EXAMPLE_FRONTEND, '--yes']), 'init');
      ok(await forte(['add', 'auth', '--yes']), 'add auth');
      const addApi = {
        version: 1,
        serviceConfiguration: {
          serviceName: 'AppSync',
          apiName: 'todos',
          transformSchema: readFileSync(join(root, 'backend/schema.graphql'), 'utf8'),
          defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
        },
      };
      ok(await forte(['add', 'api', '--headless'], JSON.stringify(addApi)), 'add api');
      ok(await forte(['add', 'hosting', '--yes']), 'add hosting');
      ok(await forte(['publish', '--yes']), 'publish');
      const meta = JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8')) as {
        hosting: Record<string, { output: { Url: string } }>;
      };
      const url = Object.values(meta.hosting)[0]!.output.Url;

      const visitor = await browser!.newContext();
      const page = await visitor.newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(url);

      const email = 'visitor@example.com';
      const password = 'a long passphrase 7';
      await page.getByRole('tab', { name: 'Create Account' }).click();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Confirm Password').fill(password);
      await page.getByRole('button', { name: 'Create Account' }).click();

      await page.getByLabel('Confirmation Code').fill(await codeFor(email));
      await page.getByRole('button', { name: 'Confirm' }).click();
      // The Authenticator signs the user in after confirmation; the app then reads the user's attributes.
      await page.getByTestId('signed-in').getByText(email).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, email, 'a wrong passphrase 7');
      await page.getByText('Incorrect username or password.').waitFor();
      await signIn(page, email, password);
      await page.getByTestId('signed-in').getByText(email).waitFor();

      // The to-do list: an item added in one tab appears in a second tab of the same user without a reload,
      // and ticks and deletions travel the other way.
      const todos = page.getByTestId('todos');
      await page.locator('[data-testid="todos"][data-synced="true"]').waitFor({ state: 'attached' });
      await page.getByLabel('New to-do').fill('buy milk');
      await page.getByRole('button', { name: 'Add' }).click();
      await todos.getByText('buy milk').waitFor();
      const second = await visitor.newPage();
      second.on('pageerror', (error) => failures.push(error.message));
      await second.goto(url);
      await second.getByTestId('todos').getByText('buy milk').waitFor();
      await page.getByLabel('New to-do').fill('walk the dog');
      await page.getByRole('button', { name: 'Add' }).click();
      await second.getByTestId('todos').getByText('walk the dog').waitFor();
      // The checkbox follows the stored item, so it changes when the update comes back, not on the click.
      await second.getByRole('checkbox').first().click();
      await page.locator('li.done').getByText('buy milk').waitFor();
      await second.getByRole('button', { name: 'Delete walk the dog' }).click();
      await todos.getByText('walk the dog').waitFor({ state: 'detached' });

      // Another user, in another browser context, sees none of them.
      const stranger = await (await browser!.newContext()).newPage();
      await stranger.goto(url);
      await stranger.getByRole('tab', { name: 'Create Account' }).click();
      await stranger.getByLabel('Email').fill('stranger@example.com');
      await stranger.getByLabel('Password', { exact: true }).fill(password);
      await stranger.getByLabel('Confirm Password').fill(password);
      await stranger.getByRole('button', { name: 'Create Account' }).click();
      await stranger.getByLabel('Confirmation Code').fill(await codeFor('stranger@example.com'));
      await stranger.getByRole('button', { name: 'Confirm' }).click();
      await stranger.locator('[data-testid="todos"][data-synced="true"]').waitFor({ state: 'attached' });
      await stranger.getByText('Nothing to do yet.').waitFor();
      await page.getByLabel('New to-do').fill('private errand');
      await page.getByRole('button', { name: 'Add' }).click();
      await second.getByTestId('todos').getByText('private errand').waitFor();
      assert.equal(await stranger.getByTestId('todos').locator('li').count(), 0, 'an event of another owner is not delivered');
      assert.deepEqual(failures, []);
    });
  },
);
