import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** The SSM subset secrets use, kept in a Map, over AWS JSON 1.1 like the cloud's `/ssm/` (a value `refuse` is refused). */
async function fakeSsm(): Promise<{ server: Server; endpoint: string; calls: { target: string; body: any }[]; store: Map<string, string> }> {
  const calls: { target: string; body: any }[] = [];
  const store = new Map<string, string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']).replace('AmazonSSM.', '');
      const body = JSON.parse(raw);
      calls.push({ target, body });
      const reply = (status: number, value: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
      if (target === 'PutParameter') {
        if (body.Value === 'refuse') return reply(400, { __type: 'ParameterPatternMismatchException', message: `bad value ${body.Value}` });
        store.set(body.Name, body.Value);
        return reply(200, { Version: 1 });
      }
      if (target === 'DeleteParameters') {
        for (const n of body.Names) store.delete(n);
        return reply(200, { DeletedParameters: body.Names, InvalidParameters: [] });
      }
      reply(400, { __type: 'InvalidAction', message: target });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls, store };
}

void describe('function secrets: set in the cloud at once, updated, removed', () => {
  let root: string;
  let ssm: Awaited<ReturnType<typeof fakeSsm>>;
  const fnDir = (name: string): string => join(root, 'amplify/backend/function', name);
  const template = (name: string): any => readJson(join(fnDir(name), `${name}-cloudformation-template.json`));
  const run = async (command: string, answers: Record<string, string | boolean | (string | boolean)[]>, subCommands: string[] = [], yes = false) => {
    const fake = createFakePluginContext(root, { plugin: 'function', command, answers, yes });
    fake.ctx.cloud = async () => ({ endpoint: ssm.endpoint, accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1' });
    fake.ctx.input.subCommands = subCommands;
    await categoryPlugin.executeCommand(fake.ctx);
    return fake;
  };
  const path = (fn: string, secret: string): string => `/amplify/app1/dev/AMPLIFY_${fn}_${secret}`;
  const noOther = {
    'access other resources': false,
    'recurring schedule': false,
    'Lambda layers': false,
    'environment variables for this function': false,
    'package manager': 'npm',
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'forte-fn-secrets-'));
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/amplify-meta.json'), JSON.stringify({ providers: { awscloudformation: { AmplifyAppId: 'app1' } } }));
    ssm = await fakeSsm();
  });
  afterEach(() => {
    ssm.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  void it('adds two secrets, updates one and removes the other, then removes the last: template, parameters and cloud follow', async () => {
    await run('add', {
      'Select which capability': 'function',
      'function name': 'sec',
      'configure advanced settings': true,
      ...noOther,
      'secret values': true,
      'Enter a secret name': ['A_KEY', 'B_KEY'],
      'Enter the value for A_KEY': 'v1',
      'Enter the value for B_KEY': 'v2',
      'What do you want to do?': ['add', 'done'],
    });
    assert.deepEqual(
      [...ssm.store],
      [
        [path('sec', 'A_KEY'), 'v1'],
        [path('sec', 'B_KEY'), 'v2'],
      ],
    );
    assert.ok(ssm.calls.every((c) => c.target !== 'PutParameter' || (c.body.Type === 'SecureString' && c.body.Overwrite === true)));
    assert.deepEqual(readJson(join(fnDir('sec'), 'function-parameters.json')).secretNames, ['A_KEY', 'B_KEY']);
    assert.ok(template('sec').Resources.LambdaFunction.Properties.Environment.Variables.B_KEY);

    await run(
      'update',
      {
        'Which setting': 'Secret values configuration',
        'secret values': true,
        'What do you want to do?': ['update', 'remove', 'done'],
        'Select the secret to update': 'A_KEY',
        'Enter the value for A_KEY': 'v1b',
        'Select the secrets to delete': 'B_KEY',
      },
      ['sec'],
    );
    assert.deepEqual([...ssm.store], [[path('sec', 'A_KEY'), 'v1b']]);
    const t = template('sec');
    assert.equal(t.Resources.LambdaFunction.Properties.Environment.Variables.B_KEY, undefined);
    assert.ok(t.Resources.AmplifyFunctionSecretsPolicy);
    assert.deepEqual(readJson(join(fnDir('sec'), 'function-parameters.json')).secretNames, ['A_KEY']);

    await run(
      'update',
      {
        'Which setting': 'Secret values configuration',
        'secret values': true,
        'What do you want to do?': ['remove', 'done'],
        'Select the secrets to delete': 'A_KEY',
      },
      ['sec'],
    );
    const cleared = template('sec');
    assert.equal(cleared.Resources.AmplifyFunctionSecretsPolicy, undefined);
    assert.equal(cleared.Parameters.secretsPathAmplifyAppId, undefined);
    assert.equal(readJson(join(fnDir('sec'), 'function-parameters.json')).secretNames, undefined);
    assert.equal(readJson(join(root, 'amplify/backend/backend-config.json')).parameters.AMPLIFY_function_sec_secretsPathAmplifyAppId, undefined);
    assert.equal(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.function.sec.secretsPathAmplifyAppId, undefined);
    assert.equal(ssm.store.size, 0);
  });

  void it('a value the cloud refuses leaves the files as they were and never appears in the message', async () => {
    await assert.rejects(
      run('add', {
        'Select which capability': 'function',
        'function name': 'tokenfn',
        'configure advanced settings': true,
        ...noOther,
        'secret values': true,
        'Enter a secret name': 'TOKEN',
        'Enter the value for TOKEN': 'refuse',
        'What do you want to do?': 'done',
      }),
      (e: unknown) => {
        assert.ok(isUserError(e));
        assert.match(e.message, /did not store the secret TOKEN of tokenfn: ParameterPatternMismatchException/);
        assert.ok(!`${e.message} ${e.resolution}`.includes('refuse'), 'the value is not in the message');
        return true;
      },
    );
    assert.deepEqual(readJson(join(root, 'amplify/backend/amplify-meta.json')).function, undefined);
  });

  void it('removing a function deletes its secrets from the cloud and its values from every environment', async () => {
    await run('add', {
      'Select which capability': 'function',
      'function name': 'gone',
      'configure advanced settings': true,
      ...noOther,
      'secret values': true,
      'Enter a secret name': 'TOKEN',
      'Enter the value for TOKEN': 't',
      'What do you want to do?': 'done',
    });
    await run('remove', {}, ['gone'], true);
    assert.equal(ssm.store.size, 0);
    assert.deepEqual(ssm.calls.at(-1), { target: 'DeleteParameters', body: { Names: [path('gone', 'TOKEN')] } });
    assert.equal(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.function.gone, undefined);
  });
});
