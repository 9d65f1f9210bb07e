/**
 * The console's Hosting page in headless Chromium: a site published twice by `forte publish`, rolled back to
 * its first deploy from the page (a plain GET of the site then serves the first content again), and deploys
 * that can no longer be restored (forgotten by collection, or never fully uploaded) said so, without a rollback.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HOSTING_API_PATH, HOSTING_TARGET_PREFIX, hostingBlobPath, SIGNING_SERVICE } from '@forte/protocol';
import { checkPage, cloudOf, consoleLoginLink, pageOverflow, watchedPage } from './console-browser-kit.js';
import { CHROMIUM, CHROMIUM_ARGS, missingBrowser, REPO } from './example-app.js';
import { useProject } from './forte-runner.js';

const skipReason = missingBrowser("the web console's hosting page in Chromium");

const FIRST = '<!doctype html><title>first</title><h1>the first deploy</h1>';
const SECOND = '<!doctype html><title>second</title><h1>the second deploy</h1>';

/** A GET of the site at its own host name (browsers resolve `*.localhost` themselves; Node is given the address). */
function getSite(siteUrl: string, path = '/'): Promise<{ status: number; body: string }> {
  const site = new URL(siteUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: site.port, path, headers: { host: site.host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The deploy API signed with the cloud's admin keys, as `forte publish` calls it. */
function deployApi(cloud: { url: string; accessKeyId: string; secretAccessKey: string }) {
  const base = new URL(cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: 'us-east-1',
    credentials: { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const send = async (method: string, path: string, headers: Record<string, string>, body: string): Promise<unknown> => {
    const signed = await signer.sign({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: Number(base.port),
      path,
      query: {},
      headers: { host: base.host, ...headers },
      body,
    });
    const response = await fetch(new URL(path, base), { method, headers: signed.headers, body });
    const text = await response.text();
    assert.equal(response.status, 200, `${method} ${path}: ${text}`);
    return JSON.parse(text) as unknown;
  };
  const call = (operation: string, input: unknown): Promise<unknown> =>
    send(
      'POST',
      HOSTING_API_PATH,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${HOSTING_TARGET_PREFIX}${operation}` },
      JSON.stringify(input),
    );
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
  return {
    /** Registers a one-page deployment; with `upload`, uploads its page and makes it live. */
    async deploy(siteId: string, html: string, upload: boolean): Promise<void> {
      const file = { path: 'index.html', sha256: sha(html), size: Buffer.byteLength(html) };
      const created = (await call('CreateDeployment', { siteId, files: [file] })) as { deployment: { deploymentId: string }; missing: string[] };
      if (!upload) return;
      if (created.missing.length > 0) await send('PUT', hostingBlobPath(siteId, file.sha256), { 'x-amz-content-sha256': file.sha256 }, html);
      await call('StartDeployment', { siteId, deploymentId: created.deployment.deploymentId });
    },
  };
}

void describe("the web console's hosting page in headless Chromium", { skip: skipReason }, () => {
  const project = useProject('forte-console-hosting-', 'hostapp');
  let browser: Browser | undefined;
  const artifacts = join(REPO, 'test-artifacts', 'console-hosting');

  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());

  void it('lists the deploys of a site published twice, rolls back to the first in one click, and offers no rollback for what cannot be restored', async () => {
    // The frontend's build copies page.html (and, when present, style.css) into build/.
    writeFileSync(
      join(project.root, 'package.json'),
      JSON.stringify({
        name: 'hostapp',
        private: true,
        scripts: { build: 'rm -rf build && mkdir -p build && cp page.html build/index.html && (test ! -f style.css || cp style.css build/)' },
      }),
    );
    const add = await project.forte(['add', 'hosting', '--yes']);
    assert.equal(add.code, 0, add.stderr + add.stdout);
    writeFileSync(join(project.root, 'page.html'), FIRST);
    const first = await project.forte(['publish', '--yes']);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    writeFileSync(join(project.root, 'page.html'), SECOND);
    writeFileSync(join(project.root, 'style.css'), 'h1 { color: teal }\n');
    const second = await project.forte(['publish', '--yes']);
    assert.equal(second.code, 0, second.stderr + second.stdout);

    const meta = project.readJson('amplify/backend/amplify-meta.json');
    const output = (Object.values(meta.hosting as Record<string, { output: { Url: string; SiteId: string } }>)[0] ?? { output: undefined }).output;
    assert.ok(output?.Url && output.SiteId, JSON.stringify(meta.hosting));
    const siteUrl = output.Url;
    assert.match((await getSite(siteUrl)).body, /the second deploy/);
    const appId = String(meta.providers.awscloudformation.AmplifyAppId);
    const cloud = cloudOf(project.home);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watchedPage(context);
    await page.goto(await consoleLoginLink({ cwd: project.root, home: project.home }));
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    await page.getByRole('navigation', { name: 'Environment tools' }).getByRole('link', { name: 'Hosting' }).click();
    await page.getByRole('heading', { name: 'Hosting', exact: true }).waitFor();

    // The site's address, and its two deploys: the second live, with two files.
    const site = page.getByRole('region', { name: `Site ${new URL(siteUrl).hostname}` });
    assert.equal(await site.getByRole('link', { name: siteUrl }).getAttribute('href'), siteUrl);
    const deploys = site.getByRole('region', { name: /^Deploys of / });
    const row = (n: number) => deploys.getByRole('row').filter({ has: page.getByRole('cell', { name: new RegExp(`^#${n} `) }) });
    await row(2).waitFor();
    // Columns: deploy, state, rollback, published, last went live, files, size.
    const cells = async (n: number): Promise<string[]> => (await row(n).getByRole('cell').allTextContents()).map((t) => t.trim());
    const [, state2, action2, , , files2, size2] = await cells(2);
    assert.deepEqual([files2, size2, state2, action2], ['2', `${Buffer.byteLength(SECOND) + 'h1 { color: teal }\n'.length} bytes`, 'live', 'live now']);
    const [, state1, action1, , , files1, size1] = await cells(1);
    assert.deepEqual([files1, size1, state1, action1], ['1', `${Buffer.byteLength(FIRST)} bytes`, 'earlier', 'Roll back to #1']);
    assert.equal(await row(2).getByRole('button').count(), 0, 'the live deploy offers no rollback');
    await checkPage(page, artifacts, '1-hosting');

    // Roll back: the confirmation names the deploy; nothing changes until it is confirmed.
    await row(1).getByRole('button', { name: 'Roll back to #1' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm rollback' });
    const firstId = (await cells(1))[0]!.replace('#1 ', '');
    assert.match(
      (await confirm.textContent()) ?? '',
      new RegExp(`Make deploy #1 \\(${firstId}, published .*, 1 file, \\d+ bytes\\) live again at ${siteUrl.replace(/[.]/g, '\\.')}`),
    );
    assert.ok(
      await confirm.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement),
      'the focus moves to the confirmation',
    );
    await checkPage(page, artifacts, '2-confirm-rollback');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.match((await getSite(siteUrl)).body, /the second deploy/, 'cancelled: still the second');
    await row(1).getByRole('button', { name: 'Roll back to #1' }).click();
    await confirm.getByRole('button', { name: 'Yes, roll back to #1' }).click();
    await site.getByRole('status').filter({ hasText: 'Deploy #1 is live again.' }).waitFor();
    await row(1).getByText('live now').waitFor();
    assert.deepEqual((await cells(2)).slice(1, 3), ['earlier', 'Make #2 live']);

    // A plain GET of the site: the first deploy's page, and the second's stylesheet is gone with it.
    const served = await getSite(siteUrl);
    assert.equal(served.status, 200);
    assert.match(served.body, /the first deploy/);
    assert.equal((await getSite(siteUrl, '/style.css')).body.includes('teal'), false, 'the first deploy has no style.css');
    await checkPage(page, artifacts, '3-rolled-back');

    // Ten more deploys through the deploy API push #1 and #2 out of the kept ten; one more is never uploaded.
    const api = deployApi(cloud);
    for (let i = 3; i <= 12; i++) await api.deploy(output.SiteId, `<h1>deploy ${i}</h1>`, true);
    await api.deploy(output.SiteId, '<h1>never uploaded</h1>', false);
    await page.reload();
    await row(13).waitFor();
    assert.match((await site.textContent()) ?? '', /Deploys #1–#2 were deleted that way and cannot be restored\./);
    assert.equal(await row(1).count(), 0);
    assert.deepEqual((await cells(13)).slice(1, 3), ['never live', 'Cannot be restored: not all its files are stored (an unfinished publish)']);
    assert.equal(await row(13).getByRole('button').count(), 0, 'no rollback to what cannot be restored');
    assert.equal(await deploys.getByRole('button', { name: /^Roll back to #/ }).count(), 9, '#3 to #11 can be rolled back to');
    assert.match((await getSite(siteUrl)).body, /deploy 12/);
    await checkPage(page, artifacts, '4-collected');

    // The phone layout: no page-wide sideways scrolling; the deploys' table scrolls in its box.
    await page.setViewportSize({ width: 390, height: 844 });
    await phoneCheck(page, artifacts);
    assert.deepEqual(errors, [], 'no console errors');
    await context.close();
  });
});

async function phoneCheck(page: Page, artifacts: string): Promise<void> {
  const { width, beyond } = await pageOverflow(page, 390);
  await checkPage(page, artifacts, '5-hosting-390');
  assert.ok(width <= 390, `the page is ${width} px wide at 390: ${beyond.join('; ')}`);
}
