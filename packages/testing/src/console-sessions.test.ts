import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONSOLE_SESSION_PATH, CONTROL_TARGET_PREFIX } from '@forte/protocol';
import { createTestControlClient, type TestControlClient } from './control-client.js';
import { makeTempDir } from './make-temp-dir.js';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';

// The web console's server side through the real cloud: sign-in, login links, sessions, CSRF and the pipe
// that serves the console's calls with the cloud's own operations as the admin.
void describe('the web console: sessions, login links and the pipe', () => {
  let cloud: TestCloud;
  let control: TestControlClient;
  let files: string;

  before(async () => {
    files = await makeTempDir('forte-console-files');
    await mkdir(join(files, 'assets'));
    await writeFile(join(files, 'index.html'), '<!doctype html><title>console</title><script type="module" src="./assets/index-abc123.js"></script>');
    const script = 'console.log("the console");'.repeat(20);
    await writeFile(join(files, 'assets/index-abc123.js'), script);
    await writeFile(join(files, 'assets/index-abc123.js.gz'), gzipSync(script));
    cloud = await startTestCloud({ console: { filesDir: files, loginLinkMs: 1500, sessionMs: 60_000, maxSignInFailures: 5 } });
    control = createTestControlClient(cloud);
  });
  after(async () => {
    await cloud.close();
    await rm(files, { recursive: true, force: true });
  });

  const url = (path: string): string => new URL(path, cloud.url).toString();
  const signIn = (accessKeyId: string, secretAccessKey: string): Promise<Response> =>
    fetch(url(CONSOLE_SESSION_PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId, secretAccessKey }),
    });
  const cookieOf = (response: Response): string => {
    const header = response.headers.get('set-cookie') ?? '';
    assert.match(header, /^forte_console=[^;]+/, header);
    return header.split(';')[0]!;
  };
  const session = async (): Promise<{ cookie: string; csrf: string }> => {
    const response = await signIn(cloud.credentials.accessKeyId, cloud.credentials.secretAccessKey);
    assert.equal(response.status, 200);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie: cookieOf(response), csrf: csrfToken };
  };
  const pipeControl = (operation: string, input: unknown, headers: Record<string, string>): Promise<Response> =>
    fetch(url(`${CONSOLE_PIPE_PATH}control/`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}`, ...headers },
      body: JSON.stringify(input),
    });

  void it('signs in with the admin keys into an HttpOnly, SameSite=Strict cookie, and refuses a wrong secret', async () => {
    const response = await signIn(cloud.credentials.accessKeyId, cloud.credentials.secretAccessKey);
    assert.equal(response.status, 200);
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\/_forte\/console\//);
    assert.doesNotMatch(setCookie, /Secure/, 'an http cloud cannot set a Secure cookie');
    const body = (await response.json()) as { csrfToken: string };
    assert.ok(body.csrfToken.length >= 20);
    assert.ok(!JSON.stringify(body).includes(cloud.credentials.secretAccessKey));
    const again = await fetch(url(CONSOLE_SESSION_PATH), { headers: { cookie: cookieOf(response) } });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { csrfToken: string }).csrfToken, body.csrfToken);
    const none = await fetch(url(CONSOLE_SESSION_PATH), { headers: { cookie: 'forte_console=forged' } });
    assert.equal(none.status, 200);
    assert.deepEqual(await none.json(), { signedIn: false });

    const wrong = await signIn(cloud.credentials.accessKeyId, 'not the secret');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { __type: string }).__type, 'InvalidCredentials');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const unknownKey = await signIn('FKIANOSUCHKEY0000000', cloud.credentials.secretAccessKey);
    assert.equal(unknownKey.status, 401);
    const malformed = await fetch(url(CONSOLE_SESSION_PATH), { method: 'POST', body: 'not json' });
    assert.equal(malformed.status, 400);
  });

  void it('a login link signs in once and not after it expired', async () => {
    const link = await control.call('CreateConsoleLoginLink', {});
    assert.match(link.url, /\/_forte\/console\/login\?token=/);
    const first = await fetch(link.url, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/_forte/console/');
    assert.equal(((await (await fetch(url(CONSOLE_SESSION_PATH), { headers: { cookie: cookieOf(first) } })).json()) as { signedIn: boolean }).signedIn, true);
    const second = await fetch(link.url, { redirect: 'manual' });
    assert.equal(second.status, 401, 'a link works once');
    assert.equal(second.headers.get('set-cookie'), null);

    const late = await control.call('CreateConsoleLoginLink', {});
    await new Promise((resolve) => setTimeout(resolve, 1700));
    assert.equal((await fetch(late.url, { redirect: 'manual' })).status, 401, 'an expired link');
    assert.equal((await fetch(`${link.url}x`, { redirect: 'manual' })).status, 401, 'a forged link');
    const logs = cloud.logs().join('\n');
    assert.ok(!logs.includes(new URL(link.url).searchParams.get('token')!), 'the token is never logged');
  });

  void it('refuses a forged or signed-out cookie (401) and a missing, wrong or cross-origin CSRF header (403)', async () => {
    const { cookie, csrf } = await session();
    const forged = await pipeControl('ListApps', {}, { cookie: 'forte_console=forged', [CONSOLE_CSRF_HEADER]: csrf });
    assert.equal(forged.status, 401);
    assert.equal(((await forged.json()) as { __type: string }).__type, 'NotSignedIn');
    assert.equal((await pipeControl('ListApps', {}, { [CONSOLE_CSRF_HEADER]: csrf })).status, 401, 'no cookie');
    const noCsrf = await pipeControl('ListApps', {}, { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { __type: string }).__type, 'InvalidCsrfToken');
    assert.equal((await pipeControl('ListApps', {}, { cookie, [CONSOLE_CSRF_HEADER]: `${csrf}x` })).status, 403);
    assert.equal((await pipeControl('ListApps', {}, { cookie, [CONSOLE_CSRF_HEADER]: csrf, origin: 'http://evil.example' })).status, 403);
    assert.equal((await pipeControl('ListApps', {}, { cookie, [CONSOLE_CSRF_HEADER]: csrf })).status, 200);

    const signOutWithoutCsrf = await fetch(url(CONSOLE_SESSION_PATH), { method: 'DELETE', headers: { cookie } });
    assert.equal(signOutWithoutCsrf.status, 403);
    const signOut = await fetch(url(CONSOLE_SESSION_PATH), { method: 'DELETE', headers: { cookie, [CONSOLE_CSRF_HEADER]: csrf } });
    assert.equal(signOut.status, 200);
    assert.match(signOut.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await pipeControl('ListApps', {}, { cookie, [CONSOLE_CSRF_HEADER]: csrf })).status, 401, 'signed out');
  });

  void it('the pipe serves the control API and other AWS APIs as the admin; the ordinary endpoints ignore the cookie', async () => {
    const { cookie, csrf } = await session();
    const headers = { cookie, [CONSOLE_CSRF_HEADER]: csrf };
    const created = await pipeControl('CreateApp', { name: 'consoleapp' }, headers);
    assert.equal(created.status, 200);
    const { app } = (await created.json()) as { app: { appId: string } };
    const { apps } = await control.call('ListApps', {});
    assert.ok(
      apps.some((a) => a.appId === app.appId),
      'the app the console created is in the control API',
    );
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const environments = (await (await pipeControl('ListEnvironments', { appId: app.appId }, headers)).json()) as { environments: { envName: string }[] };
    assert.deepEqual(
      environments.environments.map((e) => e.envName),
      ['dev'],
    );
    const invalid = await pipeControl('CreateEnvironment', { appId: app.appId, envName: 'NOT valid' }, headers);
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as { __type: string }).__type, 'ValidationException');

    // Another service's API, through the same pipe: DynamoDB's tables, as the admin.
    const tables = await fetch(url(`${CONSOLE_PIPE_PATH}dynamodb/`), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    assert.equal(tables.status, 200, await tables.clone().text());
    assert.ok(Array.isArray(((await tables.json()) as { TableNames: unknown }).TableNames));
    const nowhere = await fetch(url(`${CONSOLE_PIPE_PATH}no-such-api/`), { method: 'POST', headers, body: '{}' });
    assert.equal(nowhere.status, 404);
    const loop = await fetch(url(`${CONSOLE_PIPE_PATH}_forte/console/api/session`), { method: 'POST', headers, body: '{}' });
    assert.equal(loop.status, 404, 'the pipe does not reach the console itself');

    // The cookie and CSRF header mean nothing to the AWS endpoints: only a signature does.
    const direct = await fetch(url('/control/'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}ListApps` },
      body: '{}',
    });
    assert.equal(direct.status, 403);
    assert.equal(((await direct.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  });

  void it("lists an environment's deployments newest first and what its resources hold", async () => {
    const { app } = await control.call('CreateApp', { name: 'historyapp' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    assert.deepEqual(await control.call('ListDeployments', { appId: app.appId, envName: 'dev' }), { deployments: [] });
    assert.deepEqual(await control.call('DescribeStoredData', { appId: app.appId, envName: 'dev' }), { resources: [] });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'gone' });
    const { deployment } = await control.call('DeleteEnvironment', { appId: app.appId, envName: 'gone' });
    assert.equal(deployment.status, 'SUCCEEDED');
    await assert.rejects(control.call('ListDeployments', { appId: app.appId, envName: 'gone' }), /does not exist/);
  });

  void it('serves the console files with a strict CSP: index.html revalidated, hashed assets cached for good, gzip when asked', async () => {
    const page = await fetch(url('/_forte/console/'));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const deepLink = await fetch(url('/_forte/console/apps/abc/environments'));
    assert.equal(deepLink.status, 200, 'page paths render index.html');
    assert.match(await deepLink.text(), /<title>console<\/title>/);
    const asset = await fetch(url('/_forte/console/assets/index-abc123.js'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    assert.match(await asset.text(), /the console/);
    assert.equal((await fetch(url('/_forte/console/assets/missing.js'))).status, 404);
    const bare = await fetch(url('/_forte/console'), { redirect: 'manual' });
    assert.equal(bare.status, 301);
  });

  void it('stops a client address after too many wrong secrets, even with the right one', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await signIn(cloud.credentials.accessKeyId, `wrong ${i}`)).status, 401);
    const blocked = await signIn(cloud.credentials.accessKeyId, cloud.credentials.secretAccessKey);
    assert.equal(blocked.status, 429);
    assert.equal(((await blocked.json()) as { __type: string }).__type, 'TooManyAttempts');
  });
});

void describe('the web console: an expired session', () => {
  void it('is refused (401) once its time is up', async () => {
    await using cloud = await startTestCloud({ console: { sessionMs: 400 } });
    const signedIn = await fetch(new URL(CONSOLE_SESSION_PATH, cloud.url), {
      method: 'POST',
      body: JSON.stringify({ accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: cloud.credentials.secretAccessKey }),
    });
    assert.equal(signedIn.status, 200);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    const call = (): Promise<Response> =>
      fetch(new URL(`${CONSOLE_PIPE_PATH}control/`, cloud.url), {
        method: 'POST',
        headers: { cookie, [CONSOLE_CSRF_HEADER]: csrfToken, 'x-amz-target': `${CONTROL_TARGET_PREFIX}ListApps` },
        body: '{}',
      });
    assert.equal((await call()).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const late = await call();
    assert.equal(late.status, 401);
    assert.equal(((await late.json()) as { __type: string }).__type, 'NotSignedIn');
  });
});
