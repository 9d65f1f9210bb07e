import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './browser-app.test-helper.js';
import type { Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI, as a user runs `forte codegen models`. */
const FORTE_BIN = join(REPO, 'packages/cli/dist/bin.js');

/**
 * A minimal Gen 1 project whose API schema is `schema`, and the DataStore models `forte codegen models`
 * generates from it (src/models: index.js, schema.js). Answers the project's folder.
 */
export async function generateModels(schema: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'forte-datastore-models-'));
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write(
    'amplify/.config/project-config.json',
    JSON.stringify({
      projectName: 'notes',
      version: '3.1',
      frontend: 'javascript',
      javascript: { framework: 'none', config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: '', StartCommand: '' } },
      providers: ['awscloudformation'],
    }),
  );
  write('amplify/.config/local-env-info.json', JSON.stringify({ projectPath: root, defaultEditor: 'none', envName: 'dev' }));
  write('amplify/backend/backend-config.json', JSON.stringify({ api: { notes: { service: 'AppSync', providerPlugin: 'awscloudformation' } } }));
  write('amplify/backend/api/notes/schema.graphql', schema);
  const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [FORTE_BIN, 'codegen', 'models'], {
      cwd: root,
      env: { ...process.env, FORTE_HOME: join(root, '.forte-home'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  assert.equal(run.code, 0, `forte codegen models:\n${run.out}`);
  return root;
}

/**
 * A DataStore app as the Amplify docs write one: `@forte/amplify`'s configure from amplify_outputs.json, the
 * generated models from `./models`, DataStore's Hub events kept on `window.events` for the test to wait on.
 */
const APP_SOURCE = `
import { configure } from '@forte/amplify';
import { DataStore } from 'aws-amplify/datastore';
import { Hub } from 'aws-amplify/utils';
import { Note } from './models';
window.events = [];
Hub.listen('datastore', ({ payload }) => {
  const data = payload.data ?? {};
  window.events.push({ event: payload.event, active: data.active, isEmpty: data.isEmpty, model: data.model?.name, errorType: data.errorType });
});
const outputs = await (await fetch('/amplify_outputs.json')).json();
await configure(outputs);
DataStore.configure({ errorHandler: (error) => window.events.push({ event: 'error', message: error.message, errorType: error.errorType }) });
window.DataStore = DataStore;
window.Note = Note;
await DataStore.start();
`;

/** Bundles the app with the models of the project at `root` (generateModels), aws-amplify unmodified. */
export function buildDataStoreApp(root: string): Promise<string> {
  return buildApp(APP_SOURCE, { resolveDir: join(root, 'src'), nodePaths: [join(REPO, 'node_modules')] });
}

/** A Note as the page's DataStore holds it. */
export interface PageNote {
  id: string;
  title: string;
  body?: string | null;
  tags?: string[] | null;
  pinned?: boolean | null;
  _version?: number;
  _deleted?: boolean | null;
}

/** A DataStore Hub event as the page keeps it. */
export interface PageEvent {
  event: string;
  active?: boolean;
  isEmpty?: boolean;
  model?: string;
  errorType?: string;
  message?: string;
}

/** The page's globals, for the functions that run in it (this package is typed without the DOM library). */
export interface DataStoreWindow {
  events: PageEvent[];
  Note: { new (init: Omit<PageNote, 'id'>): PageNote; copyOf(note: PageNote, edit: (draft: PageNote) => void): PageNote };
  DataStore: {
    save(note: PageNote): Promise<PageNote>;
    delete(note: PageNote): Promise<PageNote>;
    query(model: unknown, id?: string): Promise<PageNote[] & PageNote>;
    observe(model: unknown): { subscribe(next: () => void): { unsubscribe(): void } };
  };
}

/** Waits until the page has seen `event` (optionally matching `where`) after its first `after` events. */
export async function waitForEvent(page: Page, event: string, where: Partial<PageEvent> = {}, after = 0): Promise<void> {
  await page.waitForFunction(
    ({ event, where, after }) =>
      (globalThis as unknown as DataStoreWindow).events
        .slice(after)
        .some((e) => e.event === event && Object.entries(where).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v)),
    { event, where, after },
  );
}

/** Waits until the page's DataStore holds the Note `id` at `version` (checked again on every local change of a Note). */
export async function waitForNote(page: Page, id: string, version: number): Promise<void> {
  await page.evaluate(
    ({ id, version }) =>
      new Promise<void>((resolve) => {
        const { DataStore, Note } = globalThis as unknown as DataStoreWindow;
        let done = false;
        const check = (): void =>
          void DataStore.query(Note, id).then((note) => {
            if (done || note?._version !== version) return;
            done = true;
            subscription.unsubscribe();
            resolve();
          });
        const subscription = DataStore.observe(Note).subscribe(check);
        check();
      }),
    { id, version },
  );
}

/** How many Hub events the page has seen so far (to wait for the next ones). */
export function eventCount(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as DataStoreWindow).events.length);
}

/** The page's local Notes (live ones), sorted by title, with the fields a comparison needs. */
export function localNotes(page: Page): Promise<PageNote[]> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as DataStoreWindow;
    const notes = await w.DataStore.query(w.Note);
    return notes.map((n) => ({ id: n.id, title: n.title, body: n.body ?? null, tags: n.tags ?? null })).sort((a, b) => a.title.localeCompare(b.title));
  });
}

/** The app's dev server: its page, its bundle at `/app.js` (replaceable: a new version of the app) and `/amplify_outputs.json`. */
export interface DataStoreAppServer {
  /** `http://localhost:<port>/`: one origin, so one IndexedDB, whatever version of the app it serves. */
  url: string;
  setScript(script: string): void;
  close(): Promise<void>;
}

export async function serveDataStoreApp(script: string, outputs: unknown): Promise<DataStoreAppServer> {
  let current = script;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/amplify_outputs.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(outputs));
    if (path === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(current);
    if (path === '/')
      return void res
        .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
        .end('<!doctype html><title>notes</title><script type="module" src="/app.js"></script><body></body>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://localhost:${port}/`,
    setScript: (value) => (current = value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
