import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { IDENTITY_POOL_SETTINGS_METHOD, readIdentityPoolSettings, type PluginContext } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

/** Amplify's AddAuthRequest v2, with or without an identity pool and its guests. */
const addRequest = (identityPool: boolean, guests?: boolean) => ({
  version: 2,
  resourceName: 'myappauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: identityPool,
    ...(guests === undefined ? {} : { identityPoolConfiguration: { unauthenticatedLogin: guests } }),
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
  },
});

void describe("identityPoolSettings: what the auth resource says of its identity pool, for the other categories' checks", () => {
  let root: string;
  /** A context whose invokePluginMethod reaches this plugin's exports, as the CLI's does. */
  const context = (options: Parameters<typeof createFakePluginContext>[1] = { plugin: 'storage' }): PluginContext => {
    const { ctx } = createFakePluginContext(root, options);
    ctx.invokePluginMethod = async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
      assert.equal(category, 'auth');
      const fn = (plugin as Record<string, unknown>)[method] as (ctx: PluginContext, ...rest: unknown[]) => Promise<T>;
      return fn(ctx, ...args);
    };
    return ctx;
  };
  const addAuth = (request: unknown) => plugin.executeHeadlessCommand(context({ plugin: 'auth', command: 'add', headless: true, yes: true }), request);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-idp-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('is the plugin method readIdentityPoolSettings of @forte/protocol calls', () => {
    assert.equal(typeof (plugin as Record<string, unknown>)[IDENTITY_POOL_SETTINGS_METHOD], 'function');
  });

  void it('answers the identity pool and its guests as `add auth` wrote them', async () => {
    await addAuth(addRequest(true, true));
    assert.deepEqual(await readIdentityPoolSettings(context(), 'myappauth'), { identityPool: true, guests: true });
    rmSync(join(root, 'amplify'), { recursive: true });
    await addAuth(addRequest(true, false));
    assert.deepEqual(await readIdentityPoolSettings(context(), 'myappauth'), { identityPool: true, guests: false });
    rmSync(join(root, 'amplify'), { recursive: true });
    await addAuth(addRequest(false));
    assert.deepEqual((await readIdentityPoolSettings(context(), 'myappauth')).identityPool, false);
  });

  void it('leaves out what the file does not say, and answers nothing for a missing or broken file', async () => {
    const file = join(root, 'amplify/backend/auth/handwritten/cli-inputs.json');
    assert.deepEqual(await readIdentityPoolSettings(context(), 'handwritten'), {});
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: '1', cognitoConfig: { authSelections: 'userPoolOnly' } }));
    assert.deepEqual(await readIdentityPoolSettings(context(), 'handwritten'), { identityPool: false });
    writeFileSync(file, '{ not json');
    assert.deepEqual(await readIdentityPoolSettings(context(), 'handwritten'), {});
  });

  void it('a context that cannot load plugins learns nothing, so no check refuses on a guess', async () => {
    await addAuth(addRequest(true, false));
    const { ctx } = createFakePluginContext(root, { plugin: 'storage' });
    assert.equal(ctx.invokePluginMethod, undefined);
    assert.deepEqual(await readIdentityPoolSettings(ctx, 'myappauth'), {});
  });
});
