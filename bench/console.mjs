#!/usr/bin/env node
// The web console in headless Chromium (docs/benchmarks.md, "Web console"). Loopback only, in a temporary
// FORTE_HOME, with the built CLI, cloud and console, Chromium through playwright-core (FORTE_CHROMIUM, default
// /usr/bin/chromium).
//
// Set-up: a project with a GraphQL API of one model (`Reading`), pushed; 10,000 items written into its table with
// @aws-sdk/client-dynamodb's BatchWriteItem (25 a call). Then by turns (each turn measures every item once, the order
// rotating every turn, so a busy moment of a shared machine falls on all of them alike), each page load in a new
// browser context (an empty cache: nothing of an earlier load is reused):
// - blank page (baseline): a one-line HTML page from a node:http server of this process, to its paragraph shown;
// - sign-in page: `/_forte/console/` without a session, to its sign-in form usable; then the admin keys typed in
//   and submitted, to the apps list shown;
// - login link: a fresh one-time link of `forte console --no-open`, to the apps list shown;
// - table page: the Reading table's page with a session's cookies, to its first page of items shown; then Next
//   clicked 20 times, each to its page shown (its status says `Page n · 25 items` and its first row changed);
// - the same Scan pages through @aws-sdk/client-dynamodb from this process (baseline for a page), and the
//   DescribeTable the table page starts with.
//
// "Shown" is the page's own clock: an init script watches the DOM (MutationObserver) and notes performance.now()
// at the first animation frame after the element is there (the frame that paints it). A load is timed from the
// navigation's start (performance.timeOrigin, so a login link's redirect counts); a click from the moment the
// button is clicked in the page (`button.click()`, so Playwright's own round trips are not counted). React attaches its event handlers before it puts the elements into the DOM, so
// a form that is shown is a form that works: that frame is the time to interactive. The JavaScript transferred is
// the sum of the compressed bodies (Playwright's request.sizes().responseBodySize, what went over the wire) of
// the responses Chromium counts as scripts, from the navigation to "shown". Medians of BENCH_RUNS turns (7); a
// load's ratio to the blank page is the median over turns of the load / the same turn's blank page.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const forteBin = join(root, 'packages/cli/dist/bin.js');
const work = mkdtempSync(join(tmpdir(), 'forte-bench-console-'));
const home = join(work, 'home');
const project = join(work, 'app');
const env = { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0' };
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ITEMS = 10_000;
const PAGES = 20; // Next clicks a turn
const PAGE_SIZE = 25; // the console's table page
const CHROMIUM = process.env.FORTE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const forte = (args, input) => {
  const r = spawnSync(process.execPath, [forteBin, ...args], { cwd: project, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`forte ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};

/**
 * Runs in each page before its own scripts: notes in `window.__shown[name]` the page's clock at the first animation
 * frame after an element matching `selector` (and, when given, whose text matches `text`) is in the document.
 */
function watchFor(targets) {
  const shown = {};
  const pending = new Set();
  globalThis.__shown = shown;
  const check = () => {
    for (const { name, selector, text } of targets) {
      if (name in shown || pending.has(name)) continue;
      const element = document.querySelector(selector);
      if (!element || (text && !new RegExp(text).test(element.textContent ?? ''))) continue;
      pending.add(name);
      requestAnimationFrame(() => (shown[name] = performance.now()));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}

const SIGN_IN_FORM = { name: 'signInForm', selector: 'main.sign-in form button[type="submit"]' };
const APPS_LIST = { name: 'apps', selector: '[role="region"][aria-label="Apps"] tbody a' };
const FIRST_PAGE = { name: 'items', selector: 'nav[aria-label="Pages"] [role="status"]', text: `^Page 1 · ${PAGE_SIZE} items$` };
const BLANK = { name: 'blank', selector: 'p' };

/** A fresh context (empty cache) loading `url`: ms from navigation start to `target` shown, and the compressed JavaScript bytes. */
async function coldLoad(browser, url, target, { cookies = [], after } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    if (cookies.length) await context.addCookies(cookies);
    const page = await context.newPage();
    await page.addInitScript(watchFor, [target]);
    const scripts = [];
    page.on('requestfinished', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.sizes().then((s) => ({ url: request.url(), bytes: s.responseBodySize })));
    });
    const encodings = new Set();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') encodings.add(response.headers()['content-encoding'] ?? 'identity');
    });
    await page.goto(url);
    await page.waitForFunction((name) => globalThis.__shown[name] !== undefined, target.name, { timeout: 30_000 });
    const ms = await page.evaluate((name) => globalThis.__shown[name], target.name);
    const files = await Promise.all(scripts);
    const extra = after ? await after(page, context) : undefined;
    return { ms, jsBytes: files.reduce((sum, f) => sum + f.bytes, 0), jsFiles: files.length, encodings: [...encodings], extra };
  } finally {
    await context.close();
  }
}

/**
 * In the page: clicks the first `click` element whose text is `label` (any, without one) and answers ms from the
 * click to the first frame after an element matching `selector` whose text matches `text` is in the document (and,
 * when `changed` names one, the text of that element is no longer what it was at the click).
 */
function clickUntil({ click, label, selector, text, changed }) {
  return new Promise((resolve, reject) => {
    const textOf = (s) => document.querySelector(s)?.textContent;
    const before = changed && textOf(changed);
    const there = () =>
      [...document.querySelectorAll(selector)].some((e) => new RegExp(text).test(e.textContent ?? '')) && (!changed || textOf(changed) !== before);
    const button = [...document.querySelectorAll(click)].find((b) => label === undefined || b.textContent === label);
    if (!button || button.disabled) return reject(new Error(`no enabled ${click} ${label ?? ''}`));
    const timer = setTimeout(() => reject(new Error(`${selector} /${text}/ not shown in 30 s`)), 30_000);
    let started;
    const observer = new MutationObserver(() => {
      if (!there()) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    started = performance.now();
    button.click();
  });
}

/** The first cells of the table page's rows: the items' ids. */
const ITEM_IDS = '[role="region"][aria-label="Items"] tbody tr td:first-child';
const shownIds = (page) => page.evaluate((selector) => [...document.querySelectorAll(selector)].map((td) => td.textContent), ITEM_IDS);

const blankServer = createServer((_req, res) =>
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Blank</title><p>blank</p>'),
);
let browser;
const figures = {};
const push = (name, value) => (figures[name] ??= []).push(value);
try {
  mkdirSync(project, { recursive: true });
  forte([
    'init',
    '--amplify',
    JSON.stringify({ projectName: 'benchconsole', envName: 'dev' }),
    '--frontend',
    '{"frontend":"javascript","framework":"react"}',
    '--yes',
  ]);
  const schema = 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Reading @model {\n  id: ID!\n  value: Int\n}\n';
  forte(
    ['add', 'api', '--headless'],
    JSON.stringify({
      version: 1,
      serviceConfiguration: { serviceName: 'AppSync', apiName: 'readings', transformSchema: schema, defaultAuthType: { mode: 'API_KEY', expirationTime: 7 } },
    }),
  );
  forte(['push', '--yes']);
  const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
  const appId = meta.providers.awscloudformation.AmplifyAppId;
  const table = `Reading-${meta.api.readings.output.GraphQLAPIIdOutput}-dev`;
  const { url } = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8'));
  const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8'));
  const db = new DynamoDBClient({ endpoint: `${url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });

  // 10,000 items, 25 a BatchWriteItem, 40 calls at a time.
  const written = now();
  const batches = [];
  for (let i = 0; i < ITEMS; i += 25)
    batches.push(
      Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { id: { S: `reading-${String(i + j).padStart(5, '0')}` }, value: { N: String(i + j) } } } })),
    );
  for (let i = 0; i < batches.length; i += 40)
    await Promise.all(batches.slice(i, i + 40).map((batch) => db.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }))));
  console.log(`set-up: ${ITEMS} items in ${table} in ${(now() - written).toFixed(0)} ms (BatchWriteItem, 25 a call, 40 at a time)`);

  await new Promise((resolve) => blankServer.listen(0, '127.0.0.1', resolve));
  const blankUrl = `http://127.0.0.1:${blankServer.address().port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const loginLink = () => /(http:\/\/\S+\/_forte\/console\/login\?token=\S+)/.exec(forte(['console', '--no-open']).stdout)[1];
  // One session for the table page's loads: its cookies go into each fresh context.
  const cookies = (await coldLoad(browser, loginLink(), APPS_LIST, { after: (_page, context) => context.cookies() })).extra;
  const tableUrl = `${url}/_forte/console/apps/${appId}/env/dev/data/${table}`;

  const items = {
    blank: async () => push('blank', (await coldLoad(browser, blankUrl, BLANK)).ms),
    signIn: async () => {
      const r = await coldLoad(browser, `${url}/_forte/console/`, SIGN_IN_FORM, {
        after: async (page) => {
          await page.getByLabel('Access key id').fill(keys.accessKeyId);
          await page.getByLabel('Secret access key').fill(keys.secretAccessKey);
          return page.evaluate(clickUntil, { click: 'main.sign-in form button[type="submit"]', selector: APPS_LIST.selector, text: '' });
        },
      });
      push('signInForm', r.ms);
      push('signInJs', r.jsBytes);
      push('signInFiles', r.jsFiles);
      push('signedInToApps', r.extra);
      figures.encodings = r.encodings;
    },
    loginLink: async () => {
      const link = loginLink();
      const r = await coldLoad(browser, link, APPS_LIST);
      push('linkToApps', r.ms);
      push('linkJs', r.jsBytes);
    },
    table: async () => {
      const r = await coldLoad(browser, tableUrl, FIRST_PAGE, {
        cookies,
        after: async (page) => {
          const seen = new Set(await shownIds(page));
          for (let n = 2; n <= PAGES + 1; n++) {
            const want = `^Page ${n} · ${PAGE_SIZE} items$`;
            // The status names the page its rows are from; the first row changing too guards the figure against a label ahead of its rows.
            const shown = { selector: FIRST_PAGE.selector, text: want, changed: ITEM_IDS };
            push('clickToPage', await page.evaluate(clickUntil, { click: 'nav[aria-label="Pages"] button', label: 'Next', ...shown }));
            push('pageCall', Number(await page.locator('[data-page-ms]').getAttribute('data-page-ms')));
            const ids = await shownIds(page);
            assert.equal(ids.length, PAGE_SIZE);
            for (const id of ids) seen.add(id);
          }
          assert.equal(seen.size, (PAGES + 1) * PAGE_SIZE, 'every page holds new items');
        },
      });
      push('tableFirstPage', r.ms);
      push('tableJs', r.jsBytes);
    },
    sdk: async () => {
      const t = now();
      await db.send(new DescribeTableCommand({ TableName: table }));
      push('sdkDescribe', now() - t);
      let start;
      for (let n = 1; n <= PAGES + 1; n++) {
        const t = now();
        const page = await db.send(new ScanCommand({ TableName: table, Limit: PAGE_SIZE, ...(start ? { ExclusiveStartKey: start } : {}) }));
        if (n > 1) push('sdkPage', now() - t);
        assert.equal(page.Items.length, PAGE_SIZE);
        start = page.LastEvaluatedKey;
      }
    },
  };
  const names = Object.keys(items);
  for (let turn = 0; turn < RUNS; turn++) for (let i = 0; i < names.length; i++) await items[names[(i + turn) % names.length]]();
  db.destroy();

  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => `${value.toFixed(0)} ms`;
  const m = (name) => median(figures[name]);
  // Each turn's load over the same turn's blank page, the median of those.
  const ratio = (name) => `${median(figures[name].map((v, i) => v / figures.blank[i])).toFixed(1)}× blank`;
  const rows = [
    ['blank page, cold, to shown (baseline)', ms(m('blank')), '', ''],
    ['sign-in page, cold: compressed JavaScript', kb(m('signInJs')), '< 300 KB', `${m('signInFiles')} files, ${figures.encodings.join('/')}`],
    ['sign-in page, cold, to the sign-in form usable', ms(m('signInForm')), '< 1 s', ratio('signInForm')],
    ['sign-in submitted to the apps list shown', ms(m('signedInToApps')), '', ''],
    ['login link, cold: compressed JavaScript', kb(m('linkJs')), '< 300 KB', ''],
    ['login link, cold, to the apps list shown', ms(m('linkToApps')), '< 1 s', ratio('linkToApps')],
    ['table page, cold: compressed JavaScript', kb(m('tableJs')), '', 'the lazy table chunk included'],
    ['table page, cold, to its first 25 items shown', ms(m('tableFirstPage')), '', ratio('tableFirstPage')],
    [
      `${ITEMS.toLocaleString('en')} items: Next clicked to the page shown`,
      ms(m('clickToPage')),
      '< 100 ms',
      `slowest ${ms(Math.max(...figures.clickToPage))}`,
    ],
    ["… of which the page's Scan call through the pipe", ms(m('pageCall')), '', 'as the page timed its fetch'],
    ['the same Scan page, @aws-sdk from Node (baseline)', `${m('sdkPage').toFixed(1)} ms`, '', ''],
    ["DescribeTable of the table, @aws-sdk from Node (the table page's first call)", `${m('sdkDescribe').toFixed(1)} ms`, '', ''],
  ];
  console.log(`\n| measure | median | target | note |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(
    `\n(${RUNS} turns; ${RUNS * PAGES} page clicks; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}; Chromium ${browser.version()})`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/console-latest.json'),
    JSON.stringify(
      { date: new Date().toISOString(), loadAverage: loadavg(), runs: RUNS, medians: Object.fromEntries(rows.map((r) => [r[0], r[1]])), figures },
      null,
      2,
    ),
  );
} finally {
  await browser?.close();
  blankServer.close();
  spawnSync(process.execPath, [forteBin, 'cloud', 'stop'], { cwd: work, env, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
