import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { deployTestApi, startTestCloud, type DeployedTestApi, type TestCloud } from '@forte/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-app.test-helper.js';
import {
  buildDataStoreApp,
  eventCount,
  generateModels,
  localNotes,
  serveDataStoreApp,
  waitForEvent,
  waitForNote,
  type DataStoreAppServer,
  type DataStoreWindow,
  type PageNote,
} from './datastore-browser.test-helper.js';

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the DataStore browser test: ${skip}`);

/** The API's schema (the app's models are generated from it). */
const SCHEMA = `
type Note @model @auth(rules: [{ allow: public }]) {
  id: ID!
  title: String!
  body: String
  tags: [String]
}
`;
/** The next version of the app's schema: one more field, so `forte codegen models` gives the models a new version. */
const SCHEMA_V2 = SCHEMA.replace('tags: [String]', 'tags: [String]\n  pinned: Boolean');

// The page's globals, for the functions that run in it (this package is typed without the DOM library).
declare const window: DataStoreWindow;

void describe(
  'DataStore (aws-amplify v6, IndexedDB) in Chromium against a Forte API with conflict detection, models from `forte codegen models`',
  { skip },
  () => {
    let cloud: TestCloud;
    let api: DeployedTestApi;
    let app: DataStoreAppServer;
    /** A second API, whose model resolves conflicts with AUTOMERGE (Amplify's default), and the app pointed at it. */
    let mergeApi: DeployedTestApi;
    let mergeApp: DataStoreAppServer;
    let appV1: string;
    let appV2: string;
    let browser: Browser;
    const projects: string[] = [];
    const pageErrors: string[] = [];

    before(async () => {
      cloud = await startTestCloud();
      // As a Gen 1 DataStore project's transform.conf.json has it: versioned models, optimistic concurrency.
      api = await deployTestApi(cloud, {
        schema: SCHEMA_V2,
        authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
        resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } },
      });
      const v1 = await generateModels(SCHEMA);
      const v2 = await generateModels(SCHEMA_V2);
      projects.push(v1, v2);
      appV2 = await buildDataStoreApp(v2);
      mergeApi = await deployTestApi(cloud, {
        name: 'merge',
        schema: SCHEMA_V2,
        authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
        resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
      });
      const outputs = (of: DeployedTestApi): unknown => ({
        version: '1',
        data: { url: of.url, aws_region: 'us-east-1', default_authorization_type: 'API_KEY', api_key: of.apiKey, authorization_types: [] },
        custom: { forte: { endpoint: cloud.url } },
      });
      appV1 = await buildDataStoreApp(v1);
      app = await serveDataStoreApp(appV1, outputs(api));
      mergeApp = await serveDataStoreApp(appV1, outputs(mergeApi));
      // A page served by a route (the offline reload below) counts as public address space for Chromium's local
      // network access checks, which would then refuse its requests to the cloud on loopback.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests'],
      });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      await mergeApp?.close();
      await cloud?.close();
      for (const dir of projects) rmSync(dir, { recursive: true, force: true });
    });

    /** A new browser context (its own IndexedDB) with the app open and DataStore synced. */
    async function openApp(server: DataStoreAppServer = app): Promise<Page> {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(server.url);
      await waitForEvent(page, 'ready');
      return page;
    }

    /** The live Notes the API holds (read through GraphQL with the API key), as localNotes gives the page's. */
    async function serverNotes(of: DeployedTestApi = api): Promise<(PageNote & { _version: number })[]> {
      const response = await fetch(of.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': of.apiKey },
        body: JSON.stringify({ query: '{ listNotes(limit: 1000) { items { id title body tags _version _deleted } } }' }),
      });
      const answer = (await response.json()) as { data?: { listNotes: { items: (PageNote & { _version: number })[] } }; errors?: unknown };
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return answer
        .data!.listNotes.items.filter((n) => !n._deleted)
        .map((n) => ({ id: n.id, title: n.title, body: n.body ?? null, tags: n.tags ?? null, _version: n._version }))
        .sort((a, b) => a.title.localeCompare(b.title));
    }
    const withoutVersion = (notes: PageNote[]): PageNote[] => notes.map(({ _version, ...note }) => note);

    /** Takes the context offline and waits for DataStore to notice (its `networkStatus` event). */
    async function goOffline(page: Page): Promise<void> {
      const seen = await eventCount(page);
      await page.context().setOffline(true);
      await waitForEvent(page, 'networkStatus', { active: false }, seen);
    }

    /**
     * Reloads the page while its context is offline. The dev server's answers are passed through a route, as a
     * service worker's cache would serve an installed app's files (the route is removed once the page has loaded).
     */
    async function reloadOffline(page: Page): Promise<void> {
      const context = page.context();
      await context.route(`${app.url}**`, async (route) => {
        const response = await fetch(route.request().url());
        await route.fulfill({ status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() });
      });
      await page.reload();
      await waitForEvent(page, 'storageSubscribed');
      await context.unrouteAll();
    }

    /** Goes online and waits until the outbox is empty again. */
    async function goOnline(page: Page): Promise<void> {
      const seen = await eventCount(page);
      await page.context().setOffline(false);
      await waitForEvent(page, 'networkStatus', { active: true }, seen);
      await waitForEvent(page, 'outboxStatus', { isEmpty: true }, seen);
    }

    void it('offline: creates, updates and deletes sit in the IndexedDB outbox across a reload; back online the outbox empties and the server equals the client', async () => {
      const page = await openApp();
      const context = page.context();
      const [kept, dropped] = await page.evaluate(async () => {
        const { DataStore, Note } = window;
        return [await DataStore.save(new Note({ title: 'groceries', body: 'milk', tags: ['home'] })), await DataStore.save(new Note({ title: 'old idea' }))];
      });
      await Promise.all([waitForNote(page, kept.id, 1), waitForNote(page, dropped.id, 1)]);
      assert.deepEqual(
        (await serverNotes()).map((n) => n.title),
        ['groceries', 'old idea'],
      );

      await goOffline(page);
      await page.evaluate(
        async ({ keptId, droppedId }) => {
          const { DataStore, Note } = window;
          // Created, then changed, before any of it is sent: the outbox merges both into one create.
          const created = await DataStore.save(new Note({ title: 'written offline', tags: ['a'] }));
          await DataStore.save(Note.copyOf(created, (draft) => void (draft.tags = ['a', 'b'])));
          const current = await DataStore.query(Note, keptId);
          await DataStore.save(
            Note.copyOf(current, (draft) => {
              draft.body = 'milk, eggs';
              draft.tags = ['home', 'shop'];
            }),
          );
          await DataStore.delete(await DataStore.query(Note, droppedId));
        },
        { keptId: kept.id, droppedId: dropped.id },
      );
      const expected = [
        { id: kept.id, title: 'groceries', body: 'milk, eggs', tags: ['home', 'shop'] },
        { id: '', title: 'written offline', body: null, tags: ['a', 'b'] },
      ];
      const offline = await localNotes(page);
      expected[1]!.id = offline[1]!.id;
      assert.deepEqual(offline, expected);
      // Nothing reached the server while offline.
      assert.deepEqual(
        (await serverNotes()).map((n) => n.title),
        ['groceries', 'old idea'],
      );

      // The page again, still offline: the outbox and the local rows come back from IndexedDB.
      await reloadOffline(page);
      await waitForEvent(page, 'outboxStatus', { isEmpty: false });
      assert.deepEqual(await localNotes(page), expected);

      await goOnline(page);
      assert.deepEqual(withoutVersion(await serverNotes()), expected);
      assert.deepEqual(await localNotes(page), expected);
      assert.deepEqual(pageErrors, []);
      await context.close();
    });

    /**
     * Two browsers hold the same note; the second goes offline, the first changes `firstEdit`, the second changes
     * `secondEdit` (its update carries `_version` 1, the server has 2), then comes back online. Answers the note's
     * id, the pages and every ConflictUnhandled error's server item the second browser received.
     */
    async function conflictingEdits(
      firstEdit: Partial<PageNote>,
      secondEdit: Partial<PageNote>,
      backend: { api: DeployedTestApi; app: DataStoreAppServer } = { api, app },
    ): Promise<{ id: string; first: Page; second: Page; conflicts: { id?: string; _version?: number }[]; updates: unknown[] }> {
      const [first, second] = [await openApp(backend.app), await openApp(backend.app)];
      const conflicts: { id?: string; _version?: number }[] = [];
      const updates: unknown[] = [];
      const reading: Promise<void>[] = [];
      second.on('response', (response) => {
        if (response.request().method() !== 'POST' || !response.url().startsWith(backend.api.url)) return;
        const sent = response.request().postDataJSON() as { query: string; variables?: { input?: unknown } };
        if (!sent.query.includes('updateNote(')) return;
        updates.push(sent.variables?.input);
        reading.push(
          response.json().then((answer: { errors?: { errorType?: string; data?: { id?: string; _version?: number } }[] }) => {
            for (const error of answer.errors ?? []) if (error.errorType === 'ConflictUnhandled') conflicts.push(error.data ?? {});
          }),
        );
      });
      const { id } = await first.evaluate(() => window.DataStore.save(new window.Note({ title: 'trip plan', body: 'draft', tags: ['travel'] })));
      await waitForNote(second, id, 1);
      // The second browser can have the note (through its subscription) before the first has taken in its own
      // create's answer; an edit made then has no _version (so it goes against AppSync too), is refused as a
      // conflict and, as the default handler resends it, writes the fields it did not carry as null.
      await waitForNote(first, id, 1);

      const edit = (page: Page, change: Partial<PageNote>): Promise<void> =>
        page.evaluate(
          async ({ id, change }) => {
            const { DataStore, Note } = window;
            await DataStore.save(Note.copyOf(await DataStore.query(Note, id), (draft) => void Object.assign(draft, change)));
          },
          { id, change },
        );
      await goOffline(second);
      await edit(first, firstEdit);
      await waitForNote(first, id, 2);
      await edit(second, secondEdit);
      await goOnline(second);
      await Promise.all(reading);
      return { id, first, second, conflicts, updates };
    }

    /** Waits until both pages hold the note at `version`, then checks each page's notes equal the server's. */
    async function assertConverged(pages: Page[], id: string, version: number, of: DeployedTestApi = api): Promise<void> {
      for (const page of pages) await waitForNote(page, id, version);
      const server = withoutVersion(await serverNotes(of));
      for (const page of pages) assert.deepEqual(await localNotes(page), server);
    }

    void it('two browsers edit the same note: the stale update gets ConflictUnhandled with the server item, the default handler resends the whole local note with the server version and it wins; both converge', async () => {
      const { id, first, second, conflicts, updates } = await conflictingEdits({ body: 'pack light' }, { title: 'trip plan: Lisbon' });
      assert.deepEqual(
        conflicts.map((c) => [c.id, c._version]),
        [[id, 2]],
      );
      // The handler's retry is `{...localModel, _version}`: the model instance made from the update's input has
      // every field the input did not carry normalised to null, so the retry also sends body and tags as null and
      // the server, as asked, clears the first browser's body. The client wins wholesale.
      assert.deepEqual(updates, [
        { id, title: 'trip plan: Lisbon', _version: 1 },
        { id, title: 'trip plan: Lisbon', body: null, tags: null, _version: 2 },
      ]);
      assert.deepEqual(
        (await serverNotes()).find((n) => n.id === id),
        { id, title: 'trip plan: Lisbon', body: null, tags: null, _version: 3 },
      );
      await assertConverged([first, second], id, 3);
      assert.deepEqual(pageErrors, []);
      await Promise.all([first.context().close(), second.context().close()]);
    });

    void it("a stale update that leaves a required field out: DataStore's default handler cannot build the retry (`Field title is required`), resends it unchanged 10 times, then discards it and takes the server's note; both converge", async () => {
      const { id, first, second, conflicts } = await conflictingEdits({ title: 'trip plan: Porto' }, { body: 'book the flights' });
      // The client-side failure: the default handler spreads the update's input (id, body, _version; title normalised
      // to null) into a new Note, whose constructor refuses the null required field; DataStore sends the same
      // mutation again until its 10 attempts are spent, then DISCARDs (getNote, and the server's copy is kept).
      assert.equal(conflicts.length, 11);
      assert.ok(conflicts.every((c) => c.id === id && c._version === 2));
      assert.deepEqual(
        (await serverNotes()).find((n) => n.id === id),
        { id, title: 'trip plan: Porto', body: 'draft', tags: ['travel'], _version: 2 },
      );
      await assertConverged([first, second], id, 2);
      assert.deepEqual(pageErrors, []);
      await Promise.all([first.context().close(), second.context().close()]);
    });

    void it("AUTOMERGE (Amplify's default handler): a stale update keeps the server's scalars and appends its list to the server's; no ConflictUnhandled reaches the client; both converge", async () => {
      const { id, first, second, conflicts, updates } = await conflictingEdits(
        { body: 'pack light' },
        { title: 'trip plan: Lisbon', tags: ['travel', 'beach'] },
        { api: mergeApi, app: mergeApp },
      );
      assert.deepEqual(updates, [{ id, title: 'trip plan: Lisbon', tags: ['travel', 'beach'], _version: 1 }]);
      assert.deepEqual(conflicts, []);
      const merged = (await serverNotes(mergeApi)).find((n) => n.id === id);
      assert.deepEqual(withoutVersion(merged ? [merged] : []), [{ id, title: 'trip plan', body: 'pack light', tags: ['travel', 'travel', 'beach'] }]);
      await assertConverged([first, second], id, merged!._version, mergeApi);
      await Promise.all([first.context().close(), second.context().close()]);
    });

    void it('a new schema version (the model changed) clears IndexedDB at start, outbox included: an unsent offline write is lost, synced rows come back from the server', async () => {
      const page = await openApp();
      const synced = await page.evaluate(() => window.DataStore.save(new window.Note({ title: 'kept by the server' })));
      await waitForNote(page, synced.id, 1);
      await goOffline(page);
      await page.evaluate(() => window.DataStore.save(new window.Note({ title: 'unsent offline write' })));
      assert.ok((await localNotes(page)).some((n) => n.title === 'unsent offline write'));

      // The app's next release, loaded while offline: its models (with `pinned`) have another schema version.
      app.setScript(appV2);
      try {
        await reloadOffline(page);
        await waitForEvent(page, 'ready');
        assert.deepEqual(await localNotes(page), [], 'DataStore cleared every local row');
        await waitForEvent(page, 'outboxStatus', { isEmpty: true });

        const seen = await eventCount(page);
        await page.context().setOffline(false);
        await waitForEvent(page, 'syncQueriesReady', {}, seen);
        const server = withoutVersion(await serverNotes());
        assert.ok(server.some((n) => n.id === synced.id));
        assert.ok(!server.some((n) => n.title === 'unsent offline write'), 'the offline write never reached the server');
        assert.deepEqual(await localNotes(page), server);
      } finally {
        app.setScript(appV1);
      }
      assert.deepEqual(pageErrors, []);
      await page.context().close();
    });
  },
);
