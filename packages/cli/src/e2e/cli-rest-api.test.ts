import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { del, get, post } from 'aws-amplify/api';
import { signOut } from 'aws-amplify/auth';
import { configureAmplifyFrom, signUpAndIn as signUpAndInWith } from './amplify-app.js';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

/** Auth with an identity pool that lets guests in (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: true,
    identityPoolConfiguration: { unauthenticatedLogin: true },
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
  },
};

/** `/beer` for signed-in users only, served by a new function from the Serverless ExpressJS template. */
const ADD_REST_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'API Gateway',
    apiName: 'beerapi',
    paths: {
      '/beer': {
        newFunction: { name: 'beerLambda', template: 'serverless' },
        permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] },
      },
    },
  },
};

void describe('forte add api (REST): a new Express function through the function category, push, and aws-amplify get/post/del (built binary)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const readJson = (...path: string[]): any => JSON.parse(readFileSync(join(root, ...path), 'utf8'));

  before(async () => {
    ({ work, home, root } = await initProject('forte-rest-api-', 'beerapp'));
  });
  after(() => removeProject({ work, home }));

  void it('adds the API and its function headlessly, as Amplify lays them out', async () => {
    const auth = await forte(['add', 'auth', '--headless'], JSON.stringify(ADD_AUTH_REQUEST));
    assert.equal(auth.code, 0, auth.stderr);
    const add = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_REST_REQUEST));
    assert.equal(add.code, 0, add.stderr + add.stdout);
    // The function category created the function (invokePluginMethod), its Express app routing the API's path.
    const app = readFileSync(join(root, 'amplify/backend/function/beerLambda/src/app.js'), 'utf8');
    assert.match(app, /app\.get\('\/beer', /);
    assert.match(app, /app\.get\('\/beer\/\*', /);
    assert.deepEqual(readJson('amplify/backend/api/beerapi/cli-inputs.json'), {
      version: 1,
      paths: { '/beer': { name: '/beer', lambdaFunction: 'beerLambda', permissions: { setting: 'private', auth: ['create', 'read', 'update', 'delete'] } } },
    });
    const backend = readJson('amplify/backend/backend-config.json');
    assert.deepEqual(backend.api.beerapi, {
      service: 'API Gateway',
      providerPlugin: 'awscloudformation',
      dependsOn: [{ category: 'function', resourceName: 'beerLambda', attributes: ['Name', 'Arn'] }],
    });
    assert.equal(backend.function.beerLambda.service, 'Lambda');
    const status = await forte(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Api\s*│\s*beerapi\s*│\s*Create/i);
  });

  void it('pushes; the identity pool roles may invoke the path; aws-amplify get/post/del reach the Express function signed in, and a guest is refused', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const meta = readJson('amplify/backend/amplify-meta.json').api.beerapi.output;
    assert.equal(meta.ApiName, 'beerapi');
    assert.match(meta.ApiId, /^[a-z0-9]+$/);
    assert.ok(existsSync(join(root, 'amplify/backend/api/beerapi/build/beerapi-cloudformation-template.json')));
    const exportsText = readFileSync(join(root, 'src/aws-exports.js'), 'utf8');
    assert.match(exportsText, /"aws_cloud_logic_custom": \[\s*\{\s*"name": "beerapi",\s*"endpoint": "[^"]+",\s*"region": "[^"]+"/);
    assert.equal(readJson('amplify_outputs.json').custom.API.beerapi.endpoint, meta.RootUrl);

    configureAmplifyFrom(root);
    // A guest (unauthenticated identity): the unauth role has no policy on /beer.
    const refused = await get({ apiName: 'beerapi', path: '/beer', options: { retryStrategy: { strategy: 'no-retry' } } as never }).response.then(
      () => undefined,
      (e: { response?: { statusCode?: number } }) => e,
    );
    assert.equal(refused?.response?.statusCode, 403);

    await signUpAndInWith('reader@example.com', { cwd: root, home });
    // A failed call names the function's logs (what API Gateway's 502 hides).
    const withLogs = async <T>(call: Promise<T>): Promise<T> => {
      try {
        return await call;
      } catch (error) {
        const logs = await forte(['function', 'logs', 'beerLambda', '--since', '5m']);
        throw new Error(`${String(error)}; function logs:\n${logs.stdout}${logs.stderr}`);
      }
    };
    const got = await withLogs(get({ apiName: 'beerapi', path: '/beer' }).response);
    assert.equal(got.statusCode, 200);
    assert.deepEqual(await got.body.json(), { success: 'get call succeed!', url: '/beer' });
    const posted = await withLogs(post({ apiName: 'beerapi', path: '/beer/ipa', options: { body: { name: 'IPA' } } }).response);
    assert.deepEqual(await posted.body.json(), { success: 'post call succeed!', url: '/beer/ipa', body: { name: 'IPA' } });
    const deleted = await withLogs(del({ apiName: 'beerapi', path: '/beer/ipa' }).response);
    assert.equal(deleted.statusCode, 200);
    await signOut();

    // Nothing changed: nothing to push. A new open path: the stage serves it after the next push, unsigned.
    const again = await forte(['push', '--yes']);
    assert.match(again.stdout, /No changes detected/);
    const update = await forte(
      ['update', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: {
          serviceName: 'API Gateway',
          apiName: 'beerapi',
          paths: { '/menu': { lambdaFunction: 'beerLambda', permissions: { setting: 'open' } } },
        },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    const before = await fetch(`${meta.RootUrl}/menu`);
    assert.equal(before.status, 403, 'not deployed yet: API Gateway answers Missing Authentication Token');
    const pushed = await forte(['push', '--yes']);
    assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
    const open = await fetch(`${meta.RootUrl}/menu`);
    assert.equal(open.headers.get('x-powered-by'), 'Express', 'the unsigned call reached the function');
    assert.match(await open.text(), /Cannot GET \/menu/);
  });

  void it('`forte remove api` then push deletes the API from the cloud and from aws-exports.js; its functions stay', async () => {
    const rootUrl = readJson('amplify/backend/amplify-meta.json').api.beerapi.output.RootUrl as string;
    const removed = await forte(['remove', 'api', 'beerapi', '--yes']);
    assert.equal(removed.code, 0, removed.stderr + removed.stdout);
    assert.equal(existsSync(join(root, 'amplify/backend/api/beerapi')), false);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(readJson('amplify/backend/amplify-meta.json').api, undefined);
    assert.doesNotMatch(readFileSync(join(root, 'src/aws-exports.js'), 'utf8'), /aws_cloud_logic_custom/);
    assert.equal(readJson('amplify_outputs.json').custom?.API, undefined);
    const gone = await fetch(`${rootUrl}/menu`);
    assert.ok(gone.status >= 400, `the API is gone (${gone.status})`);
    assert.ok(readJson('amplify/backend/amplify-meta.json').function.beerLambda, 'the function stays');
  });
});
