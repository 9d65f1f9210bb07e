import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { executeHeadlessCommand } from './index.js';

interface TriggerCall {
  method: string;
  args: unknown[];
}

const addRequest = (pool: Record<string, unknown>) => ({
  version: 2,
  resourceName: 'shopauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'], ...pool },
  },
});
const updateRequest = (pool: Record<string, unknown>) => ({ version: 2, serviceModification: { serviceName: 'Cognito', userPoolModification: pool } });

void describe('triggers in the headless AddAuthRequest / UpdateAuthRequest (cli-inputs.json `triggers`, module settings in `triggerSettings`)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-headless-triggers-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Runs a headless command with the function category faked (its calls recorded); trigger settings the function holds come from parameters.json. */
  const run = async (command: 'add' | 'update', payload: unknown): Promise<TriggerCall[]> => {
    const calls: TriggerCall[] = [];
    const fake = createFakePluginContext(root, { plugin: 'auth', command, headless: true });
    const ctx = {
      ...fake.ctx,
      invokePluginMethod: async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
        assert.equal(category, 'function');
        calls.push({ method, args });
        return undefined as T;
      },
    };
    await executeHeadlessCommand(ctx, payload);
    return calls;
  };
  const cognitoConfig = (): any => JSON.parse(readFileSync(join(root, 'amplify/backend/auth/shopauth/cli-inputs.json'), 'utf8')).cognitoConfig;
  const refused = async (command: 'add' | 'update', payload: unknown, message: RegExp): Promise<void> =>
    assert.rejects(run(command, payload), (e: unknown) => isUserError(e) && message.test(e.message));

  void it('add creates each trigger function with its modules and settings, and the pool depends on them', async () => {
    const calls = await run(
      'add',
      addRequest({
        triggers: { PreSignup: ['email-filter-allowlist'], PostConfirmation: ['add-to-group', 'custom'] },
        triggerSettings: { PreSignup: { DOMAINALLOWLIST: 'example.com' }, PostConfirmation: { GROUP: 'members' } },
      }),
    );
    assert.deepEqual(
      calls.map((c) => {
        const a = c.args[0] as { functionName: string; modules: string[]; environment: unknown; files: Record<string, string> };
        return [c.method, a.functionName, a.modules, a.environment, Object.keys(a.files).sort()];
      }),
      [
        ['addTriggerFunction', 'shopauthPreSignup', ['email-filter-allowlist'], { DOMAINALLOWLIST: 'example.com' }, ['email-filter-allowlist.js', 'index.js']],
        ['addTriggerFunction', 'shopauthPostConfirmation', ['add-to-group', 'custom'], { GROUP: 'members' }, ['add-to-group.js', 'custom.js', 'index.js']],
      ],
    );
    assert.deepEqual(cognitoConfig().triggers, { PreSignup: ['email-filter-allowlist'], PostConfirmation: ['add-to-group', 'custom'] });
    const backend = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8'));
    assert.deepEqual(
      backend.auth.shopauth.dependsOn.map((d: { resourceName: string }) => d.resourceName),
      ['shopauthPreSignup', 'shopauthPostConfirmation'],
    );
  });

  void it('update replaces the triggers (settings left out keep the function’s value); settings alone change the current triggers; {} removes them all', async () => {
    await run('add', addRequest({ triggers: { PreSignup: ['email-filter-allowlist'] }, triggerSettings: { PreSignup: { DOMAINALLOWLIST: 'example.com' } } }));
    // What the function category wrote for the module setting (faked above), as its parameters.json holds it.
    mkdirSync(join(root, 'amplify/backend/function/shopauthPreSignup'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/function/shopauthPreSignup/parameters.json'), JSON.stringify({ DOMAINALLOWLIST: 'example.com' }));

    const replaced = await run('update', updateRequest({ triggers: { PreSignup: ['email-filter-allowlist'], PreTokenGeneration: ['alter-claims'] } }));
    assert.deepEqual(
      replaced.map((c) => [(c.args[0] as { functionName: string }).functionName, (c.args[0] as { environment: unknown }).environment]),
      [
        ['shopauthPreSignup', { DOMAINALLOWLIST: 'example.com' }],
        ['shopauthPreTokenGeneration', {}],
      ],
    );
    const settingsOnly = await run('update', updateRequest({ triggerSettings: { PreSignup: { DOMAINALLOWLIST: 'example.org' } } }));
    assert.deepEqual(
      settingsOnly.map((c) => (c.args[0] as { environment: unknown }).environment),
      [{ DOMAINALLOWLIST: 'example.org' }, {}],
    );
    assert.deepEqual(Object.keys(cognitoConfig().triggers), ['PreSignup', 'PreTokenGeneration']);

    const removed = await run('update', updateRequest({ triggers: {} }));
    assert.deepEqual(
      removed.map((c) => [c.method, c.args[0]]),
      [
        ['removeTriggerFunction', 'shopauthPreSignup'],
        ['removeTriggerFunction', 'shopauthPreTokenGeneration'],
      ],
    );
    assert.deepEqual(cognitoConfig().triggers, {});
  });

  void it('refuses unknown triggers and modules, missing and stray settings, naming the field, before anything is written', async () => {
    await refused('add', addRequest({ triggers: { PreSignUpp: ['custom'] } }), /the AddAuthRequest: PreSignUpp is not a Cognito trigger/);
    await refused('add', addRequest({ triggers: { PreSignup: ['captcha-verify'] } }), /the AddAuthRequest: captcha-verify is not a module of PreSignup/);
    await refused(
      'add',
      addRequest({ triggers: { PreSignup: ['email-filter-allowlist'] } }),
      /triggerSettings\.PreSignup\.DOMAINALLOWLIST is required by the module email-filter-allowlist/,
    );
    await refused(
      'add',
      addRequest({ triggers: { PreSignup: ['custom'] }, triggerSettings: { PreSignup: { DOMAINALLOWLIST: 'x' } } }),
      /triggerSettings\.PreSignup\.DOMAINALLOWLIST is not a setting of the chosen modules/,
    );
    await refused(
      'add',
      addRequest({ triggers: { PreSignup: ['custom'] }, triggerSettings: { PostConfirmation: { GROUP: 'x' } } }),
      /triggerSettings\.PostConfirmation names a trigger the auth resource does not use/,
    );
    await refused('add', addRequest({ triggers: { PreSignup: [] } }), /userPoolConfiguration\.triggers\.PreSignup/);
    assert.throws(() => readFileSync(join(root, 'amplify/backend/backend-config.json')), 'nothing was written');
  });
});
