import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, EXAMPLE_FRONTEND, REPO, copyExampleApp, missingBrowser } from './example-app.js';
import { runForte, type ForteRun } from './forte-runner.js';

const skipReason = missingBrowser("the sample app's browser test");

void describe(
  'the sample app in headless Chromium: the Authenticator signs a new user up and in, their to-do list updates live in a second tab, their notes work offline',
  { skip: skipReason },
  () => {
    let work: string;
    let home: string;
    let root: string;
    let browser: Browser | undefined;
    /** The published app's address, and the account the first test creates (the second signs in with it). */
    let url = '';
    const email = 'visitor@example.com';
    const password = 'a long passphrase 7';
    const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, stdin });
    const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

    before(async () => {
      ({ work, home, root } = copyExampleApp('sample-app'));
      // A page served by a route (the offline reload of the notes test) counts as public address space for
      // Chromium's local network access checks, which would then refuse its requests to the cloud on loopback.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests'],
      });
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
      // The app's AddApiRequest (conflict detection for the notes, which DataStore syncs) with both schemas.
      const addApi = JSON.parse(readFileSync(join(root, 'backend/add-api.json'), 'utf8')) as { serviceConfiguration: Record<string, unknown> };
      addApi.serviceConfiguration.transformSchema = ['schema.graphql', 'notes.graphql'].map((f) => readFileSync(join(root, 'backend', f), 'utf8')).join('\n');
      ok(await forte(['add', 'api', '--headless'], JSON.stringify(addApi)), 'add api');
      ok(await forte(['add', 'hosting', '--yes']), 'add hosting');
      ok(await forte(['publish', '--yes']), 'publish');
      const meta = JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8')) as {
        hosting: Record<string, { output: { Url: string } }>;
      };
      url = Object.values(meta.hosting)[0]!.output.Url;

      const visitor = await browser!.newContext();
      const page = await visitor.newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(url);

      await page.getByRole('tab', { name: 'Create Account' }).click();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Confirm Password').fill(password);
      await page.getByRole('button', { name: 'Create Account' }).click();

      // The code is in the mailbox once the sign-up has answered, which the confirmation form says.
      await page.getByLabel('Confirmation Code').waitFor();
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
      await stranger.getByLabel('Confirmation Code').waitFor();
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

    /** The hosted file at `path` (Node does not resolve *.localhost: connect to 127.0.0.1 and send the site's host). */
    const fromSite = (path: string): Promise<{ status: number; type: string; body: Buffer }> =>
      new Promise((resolve, reject) => {
        const site = new URL(url);
        const req = request({ host: '127.0.0.1', port: site.port, path, headers: { host: site.host } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });

    void it('offline notes (DataStore): the models are what `forte codegen models` generates; notes written and deleted offline survive an offline reload, sync when back online and reach another device', async () => {
      const models = await forte(['codegen', 'models', '--model-schema', 'backend/notes.graphql']);
      ok(models, 'forte codegen models');
      const committed = join(REPO, 'examples/sample-app/src/models');
      assert.deepEqual(readdirSync(join(root, 'src/models')).sort(), readdirSync(committed).sort());
      for (const file of readdirSync(committed)) {
        assert.equal(readFileSync(join(root, 'src/models', file), 'utf8'), readFileSync(join(committed, file), 'utf8'), `src/models/${file} is generated`);
      }

      const failures: string[] = [];
      const open = async (): Promise<{ laptop: BrowserContext; page: Page }> => {
        const laptop = await browser!.newContext();
        const page = await laptop.newPage();
        page.on('pageerror', (error) => failures.push(error.message));
        await page.goto(url);
        await signIn(page, email, password);
        await page.locator('[data-testid="notes"][data-synced="true"]').waitFor({ state: 'attached' });
        return { laptop, page };
      };
      const { laptop, page } = await open();
      const notes = page.getByTestId('notes');
      const status = page.locator('.sync-status');
      const write = async (text: string): Promise<void> => {
        await page.getByLabel('New note').fill(text);
        await page.getByRole('button', { name: 'Save note' }).click();
        await notes.getByText(text).waitFor();
      };
      await write('call the bank');
      await status.getByText('All notes synced.').waitFor();

      await laptop.setOffline(true);
      await status.getByText('Offline').waitFor();
      await write('written on the train');
      await page.getByRole('button', { name: 'Delete note call the bank' }).click();
      await notes.getByText('call the bank').waitFor({ state: 'detached' });

      // The app again while still offline (its files through a route, as a service worker's cache would serve
      // them): the notes and the unsent changes come back from IndexedDB.
      await laptop.route(`${url}**`, async (route) => {
        const file = await fromSite(new URL(route.request().url()).pathname);
        await route.fulfill({ status: file.status, contentType: file.type, body: file.body });
      });
      await page.reload();
      await notes.getByText('written on the train').waitFor();
      await status.getByText('Offline').waitFor();
      assert.equal(await notes.getByText('call the bank').count(), 0);
      await laptop.unrouteAll();

      await laptop.setOffline(false);
      await status.getByText('All notes synced.').waitFor();

      // Another device of the same user: the notes as the server has them, then a note from there arrives live.
      const phone = await open();
      const phoneNotes = phone.page.getByTestId('notes');
      await phoneNotes.getByText('written on the train').waitFor();
      assert.equal(await phoneNotes.getByText('call the bank').count(), 0);
      await phone.page.getByLabel('New note').fill('from the phone');
      await phone.page.getByRole('button', { name: 'Save note' }).click();
      await notes.getByText('from the phone').waitFor();
      assert.deepEqual(failures, []);
      await Promise.all([laptop.close(), phone.laptop.close()]);
    });
  },
);
