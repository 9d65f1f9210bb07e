/**
 * The console's Logs page in headless Chromium: requests made with @aws-sdk/client-dynamodb (one refused for
 * bad input, others answered) are found by the page's status and service filters, exactly; paging, auto-refresh,
 * and the layout at 1280×800 and 390×844.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { chromium, type Browser, type Page } from 'playwright-core';
import { checkPage, cloudOf, consoleLoginLink, pageOverflow, watchedPage } from './console-browser-kit.js';
import { CHROMIUM, CHROMIUM_ARGS, missingBrowser, REPO } from './example-app.js';
import { useProject } from './forte-runner.js';

const skipReason = missingBrowser("the web console's Logs page in Chromium");

/** The request ids of the rows the page shows, top to bottom. */
const shownIds = (page: Page): Promise<string[]> =>
  page.getByRole('region', { name: 'Requests' }).locator('tbody tr.log-row td:last-child code').allTextContents();
const shownStatuses = async (page: Page): Promise<number[]> =>
  (await page.getByRole('region', { name: 'Requests' }).locator('tbody tr.log-row td:nth-child(2)').allTextContents()).map(Number);

/** Sets the filter form's fields and applies them; waits for the page the filters read. */
async function filter(page: Page, fields: { status?: string; service?: string }): Promise<void> {
  const form = page.getByRole('form', { name: 'Filters' });
  await form.getByLabel('Status').fill(fields.status ?? '');
  await form.getByLabel('Service').fill(fields.service ?? '');
  await form.getByRole('button', { name: 'Apply filters' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /^Page 1 · / })
    .waitFor();
}

void describe("the web console's Logs page in headless Chromium", { skip: skipReason }, () => {
  const project = useProject('forte-console-logs-', 'logsapp');
  let browser: Browser | undefined;
  const artifacts = join(REPO, 'test-artifacts', 'console-logs');

  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());

  void it('filters by 4xx and by service to exactly the SDK calls made, pages, refreshes itself, at 1280×800 and 390×844', async () => {
    const cloud = cloudOf(project.home);
    const dynamodb = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb/`, region: 'us-east-1', credentials: cloud, maxAttempts: 1 });
    const listed = await dynamodb.send(new ListTablesCommand({}));
    const refused = await dynamodb.send(new DescribeTableCommand({ TableName: 'no-such-table' })).then(
      () => assert.fail('a table that does not exist was described'),
      (error: { name: string; $metadata: { requestId?: string; httpStatusCode?: number } }) => error,
    );
    assert.equal(refused.name, 'ResourceNotFoundException');
    assert.equal(refused.$metadata.httpStatusCode, 400);
    const okId = listed.$metadata.requestId!;
    const failedId = refused.$metadata.requestId!;
    assert.ok(okId && failedId);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watchedPage(context);
    await page.goto(await consoleLoginLink({ cwd: project.root, home: project.home }));
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Request log' }).waitFor();
    await page.getByRole('region', { name: 'Requests' }).waitFor();

    await filter(page, { service: 'dynamodb' });
    assert.deepEqual(await shownIds(page), [failedId, okId], 'the two DynamoDB calls, newest first');
    assert.deepEqual(await shownStatuses(page), [400, 200]);
    const failedRow = page.getByRole('row').filter({ hasText: failedId });
    assert.match((await failedRow.textContent()) ?? '', /400POST\/dynamodb\/dynamodbadmin · /);
    await checkPage(page, artifacts, '1-logs-dynamodb');

    await filter(page, { status: '4xx', service: 'dynamodb' });
    assert.deepEqual(await shownIds(page), [failedId], 'the refused call only');
    await filter(page, { status: '4xx' });
    const fourHundreds = await shownIds(page);
    assert.ok(fourHundreds.includes(failedId) && !fourHundreds.includes(okId), fourHundreds.join(', '));
    assert.ok((await shownStatuses(page)).every((s) => s >= 400 && s <= 499));
    await filter(page, { status: '2xx', service: 'dynamodb' });
    assert.deepEqual(await shownIds(page), [okId]);
    await checkPage(page, artifacts, '2-logs-2xx');

    // A bad filter is named, and nothing is read.
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Status').fill('4x');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').filter({ hasText: 'Status is a code like 404 or a class like 4xx.' }).waitFor();

    // Paging: more DynamoDB calls than a page holds.
    for (let i = 0; i < 50; i++) await dynamodb.send(new ListTablesCommand({}));
    await filter(page, { service: 'dynamodb' });
    const first = await shownIds(page);
    assert.equal(first.length, 50);
    await page.getByRole('button', { name: 'Older' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Page 2 · 2 requests$/ })
      .waitFor();
    assert.deepEqual(await shownIds(page), [failedId, okId], 'the oldest two on the second page');
    await page.getByRole('button', { name: 'Newer' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Page 1 · 50 requests$/ })
      .waitFor();
    assert.deepEqual(await shownIds(page), first);

    // Auto-refresh: a new call shows up without a click.
    await page.getByLabel(/Refresh every/).check();
    const late = await dynamodb.send(new DescribeTableCommand({ TableName: 'still-missing' })).catch((error: { $metadata: { requestId?: string } }) => error);
    const lateId = late.$metadata.requestId!;
    await page.getByRole('region', { name: 'Requests' }).getByText(lateId).waitFor({ timeout: 15_000 });
    await page.getByLabel(/Refresh every/).uncheck();
    dynamodb.destroy();

    // The phone layout.
    await page.setViewportSize({ width: 390, height: 844 });
    await filter(page, { status: '4xx', service: 'dynamodb' });
    assert.deepEqual(await shownIds(page), [lateId, failedId]);
    const { width, beyond } = await pageOverflow(page, 390);
    await checkPage(page, artifacts, '3-logs-390');
    assert.ok(width <= 390, `the page is ${width} px wide at 390: ${beyond.join('; ')}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
