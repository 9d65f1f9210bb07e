import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CSRF_HEADER, CONSOLE_DOWNLOAD_URL_PATH, CONSOLE_PIPE_PATH, CONSOLE_SESSION_PATH } from '@forte/protocol';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';

// The console's downloads: a presigned GetObject URL made for the signed-in admin, good for that one GET; and
// uploads and deletes of objects through the pipe, as the Files page makes them.
void describe('the web console: object downloads by presigned URL, uploads and deletes through the pipe', () => {
  let cloud: TestCloud;
  let cookie: string;
  let csrf: string;
  const url = (path: string): string => new URL(path, cloud.url).toString();
  const body = randomBytes(1024 * 1024 + 3);

  before(async () => {
    cloud = await startTestCloud();
    const response = await fetch(url(CONSOLE_SESSION_PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: cloud.credentials.secretAccessKey }),
    });
    assert.equal(response.status, 200);
    cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    csrf = ((await response.json()) as { csrfToken: string }).csrfToken;
    const bucket = await fetch(url(`${CONSOLE_PIPE_PATH}s3/console-files`), { method: 'PUT', headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(bucket.status, 200, await bucket.text());
    const put = await fetch(url(`${CONSOLE_PIPE_PATH}s3/console-files/reports/r%C3%A9sum%C3%A9%20one.bin`), {
      method: 'PUT',
      headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf, 'content-type': 'application/octet-stream' },
      body,
    });
    assert.equal(put.status, 200, await put.text());
  });
  after(() => cloud.close());

  const ask = (input: unknown, headers: Record<string, string> = { cookie, [CONSOLE_CSRF_HEADER]: csrf }): Promise<Response> =>
    fetch(url(CONSOLE_DOWNLOAD_URL_PATH), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });

  void it('makes a URL that downloads the object as an attachment, for a few minutes, and for that GET only', async () => {
    const response = await ask({ bucket: 'console-files', key: 'reports/résumé one.bin' });
    assert.equal(response.status, 200);
    const { url: link, expiresAt } = (await response.json()) as { url: string; expiresAt: string };
    const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
    assert.ok(minutes > 4 && minutes <= 5, `expires in ${minutes} minutes`);
    assert.ok(!link.includes(cloud.credentials.secretAccessKey), 'the secret is not in the URL');
    assert.ok(link.startsWith(`${cloud.url}/s3/console-files/reports/`), link);

    // No cookie needed: the signature is the permission.
    const got = await fetch(link);
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), body);
    assert.equal(got.headers.get('content-disposition'), `attachment; filename="r_sum_ one.bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20one.bin`);

    // Another method, another key or a changed query is refused.
    assert.equal((await fetch(link, { method: 'PUT', body: 'overwritten' })).status, 403);
    assert.equal((await fetch(link.replace('/reports/', '/other/'))).status, 403);
    assert.equal((await fetch(link.replace('response-content-disposition=attachment', 'response-content-disposition=inline'))).status, 403);
  });

  void it('refuses a call without the session, without the CSRF header, with a bad body or with another method', async () => {
    const noSession = await ask({ bucket: 'console-files', key: 'reports/x' }, {});
    assert.equal(noSession.status, 401);
    assert.equal(((await noSession.json()) as { __type: string }).__type, 'NotSignedIn');
    const noCsrf = await ask({ bucket: 'console-files', key: 'reports/x' }, { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { __type: string }).__type, 'InvalidCsrfToken');
    const bad = await ask({ bucket: 'console-files' });
    assert.equal(bad.status, 400);
    const refusal = (await bad.json()) as { __type: string; message: string };
    assert.equal(refusal.__type, 'ValidationException');
    assert.match(refusal.message, /"bucket" and "key"/);
    const get = await fetch(url(CONSOLE_DOWNLOAD_URL_PATH), { headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(get.status, 405);
  });

  void it('deletes an object through the pipe; its download URL then answers NoSuchKey', async () => {
    const { url: link } = (await (await ask({ bucket: 'console-files', key: 'reports/résumé one.bin' })).json()) as { url: string };
    const deleted = await fetch(url(`${CONSOLE_PIPE_PATH}s3/console-files/reports/r%C3%A9sum%C3%A9%20one.bin`), {
      method: 'DELETE',
      headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf },
    });
    assert.equal(deleted.status, 204);
    const gone = await fetch(link);
    assert.equal(gone.status, 404);
    assert.match(await gone.text(), /NoSuchKey/);
  });
});
