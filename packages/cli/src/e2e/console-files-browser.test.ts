/**
 * The console's Files and Functions pages in headless Chromium: what the page writes is checked through
 * @aws-sdk/client-s3 and the reverse, downloads, paging, delete; a pushed function's configuration (secrets by
 * name only), an invocation from the page, and its logs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Route } from 'playwright-core';
import { checkPage, pageWidth, watchedPage } from './console-browser-kit.js';
import { CHROMIUM, CHROMIUM_ARGS, REPO, missingBrowser } from './example-app.js';
import { identityPoolAuthRequest, initProject, removeProject, runForte, type ForteRun } from './forte-runner.js';

const skipReason = missingBrowser('the console Files and Functions pages in Chromium');

const ADD_STORAGE_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'S3',
    resourceName: 'media',
    bucketName: 'media',
    permissions: { auth: ['CREATE_AND_UPDATE', 'READ', 'DELETE'], guest: ['READ'] },
  },
};

void describe('the console Files and Functions pages in headless Chromium', { skip: skipReason }, () => {
  let work: string;
  let home: string;
  let root: string;
  let artifacts: string;
  let browser: Browser | undefined;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const ok = (run: ForteRun, what: string): void => assert.equal(run.code, 0, `${what}\n${run.stdout}\n${run.stderr}`);

  before(async () => {
    ({ work, home, root } = await initProject('forte-console-files-', 'filesapp', { auth: identityPoolAuthRequest({ guests: true }) }));
    artifacts = join(REPO, 'test-artifacts', 'console-files');
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await removeProject({ work, home });
  });

  void it('browses, uploads, downloads and deletes objects; shows, invokes and reads the logs of a function', async () => {
    ok(await forte(['add', 'storage', '--headless'], JSON.stringify(ADD_STORAGE_REQUEST)), 'add storage');
    ok(
      await forte(
        ['add', 'function', '--headless'],
        JSON.stringify({
          name: 'hello',
          environmentVariables: { GREETING: 'hi', SIGNING_KEY: 'plain-but-hidden-42' },
          secrets: { API_TOKEN: 'tok-secret-123' },
        }),
      ),
      'add function',
    );
    writeFileSync(
      join(root, 'amplify/backend/function/hello/src/index.js'),
      [
        'exports.handler = async (event) => {',
        "  console.log('greeting', process.env.GREETING, JSON.stringify(event));",
        "  if (event.fail) throw new Error('asked to fail');",
        '  return { greeting: process.env.GREETING, got: event };',
        '};',
        '',
      ].join('\n'),
    );
    ok(await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'quiet' })), 'add function quiet');
    ok(await forte(['push', '--yes']), 'push');
    const cloud = {
      url: (JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url,
      ...(JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string }),
    };
    const credentials = { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey };
    const appId = (
      JSON.parse(readFileSync(join(root, 'amplify', 'team-provider-info.json'), 'utf8')) as Record<string, { awscloudformation: { AmplifyAppId: string } }>
    )['dev']!.awscloudformation.AmplifyAppId;
    const s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials });
    const lambda = new LambdaClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
    const bucket = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!).find((name) => name.startsWith('media'));
    assert.ok(bucket, 'the storage bucket exists');

    // Put through the SDK before the page looks: an object with user metadata, and more than a page of objects.
    const sdkBody = Buffer.from('put by the SDK\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/sdk.txt', Body: sdkBody, ContentType: 'text/plain', Metadata: { owner: 'sdk-test' } }));
    for (let i = 0; i < 102; i++)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `public/many/item-${String(i).padStart(3, '0')}.txt`, Body: `item ${i}` }));
    // An invocation through the SDK: its log line must show on the page.
    const sdkInvoke = await lambda.send(new InvokeCommand({ FunctionName: 'hello-dev', Payload: Buffer.from(JSON.stringify({ who: 'sdk-marker' })) }));
    assert.equal(sdkInvoke.FunctionError, undefined, Buffer.from(sdkInvoke.Payload ?? []).toString());

    const run = await forte(['console', '--no-open']);
    ok(run, 'forte console --no-open');
    const link = /(http:\/\/\S+\/_forte\/console\/login\?token=\S+)/.exec(run.stdout)?.[1];
    assert.ok(link, run.stdout);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const { page, errors } = await watchedPage(context);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    await page.getByRole('heading', { name: 'Environment dev' }).waitFor();

    // Buckets: the environment's storage bucket first, from the moment the list shows. The stack's answer (which
    // tells the environment's buckets) is held back here until well after the buckets' own: a list shown in name
    // order before it would have the deployment bucket ("amplify-…") on top.
    const holdStack = async (route: Route): Promise<void> => {
      if (route.request().headers()['x-amz-target'] === 'ForteControl.DescribeStack') await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    };
    await page.route('**/control/', holdStack);
    await page.getByRole('navigation', { name: 'Environment tools' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'Files', exact: true }).waitFor();
    const buckets = page.getByRole('region', { name: 'Buckets' });
    await buckets.getByRole('link', { name: bucket }).waitFor();
    const firstRow = buckets.getByRole('row').nth(1);
    assert.match((await firstRow.textContent()) ?? '', new RegExp(`${bucket}.*storage of this environment`));
    await page.unroute('**/control/', holdStack);
    await page.getByText("acts as the cloud's admin").waitFor();
    await checkPage(page, artifacts, '1-buckets');

    // Folders: public/ → the SDK's object, and its metadata.
    await buckets.getByRole('link', { name: bucket }).click();
    const objects = page.getByRole('region', { name: 'Objects' });
    await objects.getByRole('link', { name: 'public/' }).click();
    await objects.getByRole('button', { name: 'sdk.txt' }).click();
    const details = page.getByRole('region', { name: 'Object public/sdk.txt' });
    await details.getByText('x-amz-meta-owner').waitFor();
    const detailsText = (await details.textContent()) ?? '';
    assert.match(detailsText, /15 bytes/);
    assert.match(detailsText, /text\/plain/);
    assert.match(detailsText, /sdk-test/);
    await checkPage(page, artifacts, '2-object-details');

    // Download: the browser saves the object from a presigned link, with its name.
    const [download] = await Promise.all([page.waitForEvent('download'), details.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), 'sdk.txt');
    assert.deepEqual(readFileSync(await download.path()), sdkBody);

    // Upload through the page on a slow link (2 MB/s up): its progress shows as it goes; the SDK reads the same bytes.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
    const uploaded = randomBytes(3 * 1024 * 1024 + 17);
    await page.getByLabel('File to upload here').setInputFiles({ name: 'from-ui.bin', mimeType: 'application/octet-stream', buffer: uploaded });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const progress = page.getByRole('progressbar', { name: 'Upload progress' });
    await page.waitForFunction(() => {
      const bar = (globalThis as unknown as { document: { querySelector(s: string): { value: number; max: number } | null } }).document.querySelector(
        'progress',
      );
      return bar !== null && bar.value > 0 && bar.value < bar.max;
    });
    await progress.waitFor({ state: 'detached' });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.getByRole('status').filter({ hasText: 'Uploaded public/from-ui.bin' }).waitFor();
    await objects.getByRole('button', { name: 'from-ui.bin' }).waitFor();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/from-ui.bin' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), uploaded);
    assert.equal(got.ContentType, 'application/octet-stream');
    await checkPage(page, artifacts, '3-uploaded');

    // The same name again: replacing is asked for first.
    const replacement = Buffer.from('the second version');
    await page.getByLabel('File to upload here').setInputFiles({ name: 'from-ui.bin', mimeType: 'text/plain', buffer: replacement });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'public/from-ui.bin already exists' }).waitFor();
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'public/from-ui.bin' }))).ContentLength, uploaded.length, 'not replaced yet');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Uploaded public/from-ui.bin' }).waitFor();
    const second = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/from-ui.bin' }));
    assert.equal(await second.Body!.transformToString(), 'the second version');

    // Delete through the page, after a confirmation: gone for the SDK.
    await objects.getByRole('button', { name: 'from-ui.bin' }).click();
    const uploadedDetails = page.getByRole('region', { name: 'Object public/from-ui.bin' });
    await uploadedDetails.getByRole('button', { name: 'Delete', exact: true }).click();
    await checkPage(page, artifacts, '4-confirm-delete');
    await uploadedDetails.getByRole('button', { name: 'Delete object' }).click();
    await objects.getByRole('button', { name: 'from-ui.bin' }).waitFor({ state: 'detached' });
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'public/from-ui.bin' })), (e: Error) => e.name === 'NotFound');

    // Paging: 102 objects show 100, then the rest.
    await objects.getByRole('link', { name: 'many/' }).click();
    await objects.getByRole('button', { name: 'item-099.txt' }).waitFor();
    assert.equal(await objects.getByRole('button', { name: 'item-101.txt' }).count(), 0);
    await page.getByRole('button', { name: 'Show more' }).click();
    await objects.getByRole('button', { name: 'item-101.txt' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0);

    // The phone layout.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'public' }).click();
    await objects.getByRole('button', { name: 'sdk.txt' }).waitFor();
    assert.ok((await pageWidth(page)) <= 390, 'no page-wide sideways scrolling at 390');
    await checkPage(page, artifacts, '5-folder-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Functions: the pushed function, its configuration with the secret by its SSM name only.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    // The stack's answer held back again: the environment's functions are on top from the moment the list shows.
    await page.route('**/control/', holdStack);
    await page.getByRole('navigation', { name: 'Environment tools' }).getByRole('link', { name: 'Functions' }).click();
    const functions = page.getByRole('region', { name: 'Functions' });
    await functions.getByRole('link', { name: 'hello-dev' }).waitFor();
    assert.match((await functions.getByRole('row').nth(1).textContent()) ?? '', /hello-dev.*in this environment.*nodejs/);
    await page.unroute('**/control/', holdStack);
    await checkPage(page, artifacts, '6-functions');
    await functions.getByRole('link', { name: 'hello-dev' }).click();
    await page.getByRole('heading', { name: 'Function hello-dev' }).waitFor();
    const variables = page.getByRole('region', { name: 'Environment variables' });
    await variables.getByRole('row').filter({ hasText: 'GREETING' }).getByText('hi', { exact: true }).waitFor();
    assert.match(
      (await variables.getByRole('row').filter({ hasText: 'API_TOKEN' }).textContent()) ?? '',
      /secret, kept in SSM parameter.*\/amplify\/.*API_TOKEN/,
    );
    assert.match((await variables.getByRole('row').filter({ hasText: 'SIGNING_KEY' }).textContent()) ?? '', /\(hidden\)/);
    assert.ok(!(await page.content()).includes('tok-secret-123'), 'no secret value rendered');
    assert.ok(!(await page.content()).includes('plain-but-hidden-42'), 'no secret-looking variable rendered');
    assert.match((await page.locator('dl.facts').textContent()) ?? '', /Handlerindex\.handler/);

    // The logs view shows the SDK's invocation.
    const logs = page.getByRole('region', { name: 'Log events' });
    await logs.getByText('sdk-marker').first().waitFor();

    // Invoke from the page: the answer, the status and the log tail; a malformed event is refused before it is sent.
    const eventBox = page.getByLabel('Test event (JSON)');
    await eventBox.fill('{"who": ');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await page.getByRole('alert').filter({ hasText: 'The test event is not JSON' }).waitFor();
    await eventBox.fill('{"who": "console-marker"}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByText('Status 200 · succeeded').waitFor();
    assert.match((await result.getByLabel('Response').textContent()) ?? '', /"greeting":"hi","got":\{"who":"console-marker"\}/);
    assert.match((await result.getByLabel('Log tail').textContent()) ?? '', /greeting hi \{"who":"console-marker"\}/);
    await checkPage(page, artifacts, '7-function-invoked');

    // A function error: its kind, the error the function answered, and its log.
    await eventBox.fill('{"fail": true}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await result.getByText('function error: Unhandled').waitFor();
    assert.match((await result.getByLabel('Response').textContent()) ?? '', /"errorMessage":"asked to fail"/);
    assert.match((await result.getByLabel('Log tail').textContent()) ?? '', /asked to fail/);
    await checkPage(page, artifacts, '8-function-error');
    await eventBox.fill('{"who": "console-marker"}');

    // Refresh: the page's invocation is in the logs.
    await page.getByRole('button', { name: 'Refresh logs' }).click();
    await logs.getByText('console-marker').first().waitFor();

    // Live logs: with "Follow new events" on, invocations from outside (the SDK) show up without a click, each line
    // once; switched off, or the page left, the page stops asking.
    const follows: string[] = [];
    page.on('request', (request) => {
      if (request.headers()['x-amz-target']?.endsWith('.FilterLogEvents') && request.postData()?.includes('hello-dev')) follows.push(request.url());
    });
    const invokeFromOutside = async (who: string): Promise<void> => {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: 'hello-dev', Payload: Buffer.from(JSON.stringify({ who })) }));
      assert.equal(answer.FunctionError, undefined);
    };
    await page.getByLabel('Follow new events').check();
    await invokeFromOutside('live-one');
    await logs.getByText('live-one').first().waitFor({ timeout: 15_000 });
    await invokeFromOutside('live-two');
    await logs.getByText('live-two').first().waitFor({ timeout: 15_000 });
    assert.equal(await logs.getByRole('row').filter({ hasText: '"who":"live-one"' }).count(), 1, 'a followed line is shown once');
    assert.equal(await logs.getByRole('row').filter({ hasText: '"who":"live-two"' }).count(), 1, 'a followed line is shown once');
    assert.equal(await logs.getByRole('row').filter({ hasText: '"who":"console-marker"' }).count(), 1, 'earlier lines are not repeated');
    await page.getByLabel('Follow new events').uncheck();
    await page.waitForTimeout(500);
    const whenOff = follows.length;
    await invokeFromOutside('live-three');
    await page.waitForTimeout(4500);
    assert.equal(follows.length, whenOff, 'no FilterLogEvents once following is off');
    assert.equal(await logs.getByText('live-three').count(), 0, 'nothing new once following is off');
    await page.getByLabel('Follow new events').check();
    await logs.getByText('live-three').first().waitFor({ timeout: 15_000 });
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await pageWidth(page)) <= 390, 'no page-wide sideways scrolling at 390');
    await checkPage(page, artifacts, '9-function-390');

    // A function that never ran has no logs yet: said so, without a failed call.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Functions' }).click();
    await functions.getByRole('link', { name: 'quiet-dev' }).click();
    await page.getByRole('heading', { name: 'Function quiet-dev' }).waitFor();
    await page.getByText('The function has not logged anything yet').waitFor();
    const whenLeft = follows.length;
    await page.waitForTimeout(4500);
    assert.equal(follows.length, whenLeft, 'no FilterLogEvents for a function page that was left');

    assert.deepEqual(errors, [], 'no console errors');

    // The cloud's refusal is shown as its message, not a blank page.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev/functions/no-such-function`);
    await page
      .getByRole('alert')
      .filter({ hasText: /not found|no-such-function/i })
      .first()
      .waitFor();
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev/files/no-such-bucket`);
    await page.getByRole('alert').filter({ hasText: 'The specified bucket does not exist' }).waitFor();
    await context.close();
    s3.destroy();
    lambda.destroy();
  });
});
