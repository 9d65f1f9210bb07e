import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { isUserError, type CategoryPlugin, type ResourceRef } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';
import { buildCommand } from './build-function.js';
import { packageResource } from './package-function.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** A node:http stand-in for one AWS JSON/REST endpoint of the cloud; `handle` answers each request. */
async function fakeCloud(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ server: Server; endpoint: string; requests: { url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

void describe('function build, packaging and the cloud commands', () => {
  let root: string;
  const servers: Server[] = [];
  const fnDir = (name: string): string => join(root, 'amplify/backend/function', name);
  const ref = (name: string, service = 'Lambda'): ResourceRef => ({ category: 'function', resourceName: name, service, dir: fnDir(name) });
  const context = (
    command: string,
    options: {
      answers?: Record<string, string | boolean | (string | boolean)[]>;
      endpoint?: string;
      subCommands?: string[];
      options?: Record<string, string | boolean>;
    } = {},
  ) => {
    const fake = createFakePluginContext(root, { plugin: 'function', command, answers: options.answers ?? {} });
    if (options.endpoint) fake.ctx.cloud = async () => ({ endpoint: options.endpoint!, accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1' });
    fake.ctx.input.subCommands = options.subCommands ?? [];
    Object.assign(fake.ctx.input.options, options.options ?? {});
    return fake;
  };
  const add = async (name: string, answers: Record<string, string | boolean> = {}): Promise<void> => {
    await categoryPlugin.executeCommand(
      context('add', { answers: { 'Select which capability': 'function', 'function name': name, 'configure advanced settings': false, ...answers } }).ctx,
    );
  };
  const setBuild = (name: string, command: string): void => {
    const file = join(fnDir(name), 'amplify.state');
    writeFileSync(file, JSON.stringify({ ...readJson(file), scripts: { build: command } }));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-fn-build-'));
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    rmSync(root, { recursive: true, force: true });
  });

  void it('detects the package manager as Amplify does: a lock file counts when its tool is installed, amplify.state first', () => {
    const src = join(root, 'src');
    mkdirSync(src);
    const every = () => true;
    const none = () => false;
    const only = (tool: string) => (name: string) => name === tool;
    assert.equal(buildCommand(src, undefined, none).command, 'npm install --no-bin-links --production');
    assert.equal(buildCommand(src, undefined, only('yarn')).tool, 'yarn', 'no lock file: yarn when installed');
    writeFileSync(join(src, 'package-lock.json'), '{}');
    assert.equal(buildCommand(src, undefined, every).tool, 'npm');
    writeFileSync(join(src, 'yarn.lock'), '');
    assert.equal(buildCommand(src, undefined, every).command, 'yarn --no-bin-links --production');
    assert.equal(buildCommand(src, undefined, none).tool, 'npm', 'a yarn.lock on a machine without yarn builds with npm');
    writeFileSync(join(src, 'pnpm-lock.yaml'), '');
    assert.equal(buildCommand(src, undefined, every).command, 'pnpm install');
    assert.equal(buildCommand(src, undefined, only('yarn')).tool, 'yarn', 'a pnpm lock file without pnpm: the next that fits');
    assert.equal(buildCommand(src, 'make build', none).command, 'make build');
  });

  void it('runs npm install in src/ (node_modules goes into the zip), skips it while the sources are unchanged; a custom build runs again after a change', async () => {
    await add('npmfn');
    mkdirSync(join(root, 'localdep'));
    writeFileSync(join(root, 'localdep/package.json'), JSON.stringify({ name: 'localdep', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(root, 'localdep/index.js'), 'module.exports = 42;\n');
    const pkgFile = join(fnDir('npmfn'), 'src/package.json');
    writeFileSync(pkgFile, JSON.stringify({ ...readJson(pkgFile), dependencies: { localdep: `file:${join(root, 'localdep')}` } }));
    const first = await categoryPlugin.build!(context('build').ctx, ref('npmfn'));
    const entries = unzipSync(first.assets![0]!.body);
    assert.equal(new TextDecoder().decode(entries['node_modules/localdep/index.js']), 'module.exports = 42;\n');
    assert.ok(entries['index.js'] && entries['package.json'] && entries['event.json'] && entries['package-lock.json']);
    assert.equal(entries['node_modules/.forte-build.json'], undefined, 'the build record stays out of the zip');

    // A second build of the same sources installs nothing and gives the same zip, however the files' times moved.
    for (const f of ['index.js', 'package.json']) utimesSync(join(fnDir('npmfn'), 'src', f), new Date(), new Date(Date.now() + 5000));
    const again = await packageResource(context('build').ctx, ref('npmfn'));
    assert.equal(again.installed, false);
    const second = await categoryPlugin.build!(context('build').ctx, ref('npmfn'));
    assert.equal(second.parameters!['s3Key'], first.parameters!['s3Key'], 'same sources, same zip: touching files changes nothing');
    assert.deepEqual(second.assets![0]!.body, first.assets![0]!.body);
    // A custom build command runs again after any change of the sources (a build that fails proves it ran).
    setBuild('npmfn', 'node -e "process.exit(3)"');
    writeFileSync(join(fnDir('npmfn'), 'src/index.js'), 'exports.handler = async () => 1;\n');
    await assert.rejects(categoryPlugin.build!(context('build').ctx, ref('npmfn')), (e: unknown) => isUserError(e) && /npmfn failed/.test(e.message));
  });

  void it('a deleted node_modules makes the next build install again', async () => {
    await add('counted');
    const counter = join(root, 'installs.txt');
    setBuild('counted', `node -e "require('fs').appendFileSync(${JSON.stringify(counter).replace(/"/g, "'")}, 'x')"`);
    const build = async (): Promise<boolean> => (await packageResource(context('build').ctx, ref('counted'))).installed;
    assert.deepEqual([await build(), await build()], [true, false]);
    rmSync(join(fnDir('counted'), 'src/node_modules'), { recursive: true });
    assert.equal(await build(), true);
    assert.equal(readFileSync(counter, 'utf8'), 'xx');
  });

  void it('an install runs again only when the package or lock files change, not when a handler is edited (the zip still takes the edit)', async () => {
    await add('edited');
    setBuild('edited', 'npm install --no-bin-links --production');
    const build = () => packageResource(context('build').ctx, ref('edited'));
    assert.equal((await build()).installed, true);
    writeFileSync(join(fnDir('edited'), 'src/index.js'), 'exports.handler = async () => "edited";\n');
    const edited = await build();
    assert.equal(edited.installed, false, 'editing the handler installs nothing');
    const zip = await categoryPlugin.build!(context('build').ctx, ref('edited'));
    assert.match(new TextDecoder().decode(unzipSync(zip.assets![0]!.body)['index.js']), /"edited"/);
    const pkgFile = join(fnDir('edited'), 'src/package.json');
    writeFileSync(pkgFile, JSON.stringify({ ...readJson(pkgFile), description: 'changed' }));
    assert.equal((await build()).installed, true, 'a changed package.json installs again');
  });

  void it('a failed install fails the build naming the function and quoting the package manager', async () => {
    await add('broken');
    setBuild('broken', `node -e "console.error('npm error 404 Not Found - GET https://registry.npmjs.org/left-pad-nope'); process.exit(1)"`);
    await assert.rejects(categoryPlugin.build!(context('build').ctx, ref('broken')), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.match(e.message, /The build of broken failed/);
      assert.match(e.message, /404 Not Found - GET https:\/\/registry\.npmjs\.org\/left-pad-nope/);
      assert.match(e.resolution, /package\.json/);
      return true;
    });
  });

  void it('build() returns the template as on disk, the env values and parameters.json, and the zip as an asset at its s3Key', async () => {
    await add('shipped', {
      'configure advanced settings': true,
      'recurring schedule': true,
      'At which interval': 'Minutes',
      'Enter rate': '2',
      'environment variables for this function': true,
      'environment variable name': 'LEVEL',
      'environment variable value': 'debug',
      'with environment variables': 'done',
      'package manager': 'npm',
    });
    const file = join(fnDir('shipped'), 'shipped-cloudformation-template.json');
    const edited = readJson(file);
    edited.Resources.LambdaFunction.Properties.MemorySize = 512;
    writeFileSync(file, JSON.stringify(edited));
    const tpi = join(root, 'amplify/team-provider-info.json');
    const info = readJson(tpi);
    info.dev.categories.function.shipped.s3Key = 'amplify-builds/stale.zip';
    writeFileSync(tpi, JSON.stringify(info));
    setBuild('shipped', 'node -e ""');
    const built = await categoryPlugin.build!(context('build').ctx, ref('shipped'));
    assert.deepEqual(built.template, edited);
    assert.match(String(built.parameters!['s3Key']), /^amplify-builds\/shipped-[0-9a-f]{20}-build\.zip$/);
    assert.equal(built.parameters!['level'], 'debug');
    assert.equal(built.parameters!['CloudWatchRule'], 'rate(2 minutes)');
    assert.deepEqual(
      built.assets!.map((a) => a.key),
      [built.parameters!['s3Key']],
    );
    assert.equal(built.sourceFile, 'amplify/backend/function/shipped/shipped-cloudformation-template.json');
  });

  void it('a layer zips lib (nodejs/...) and opt at the root', async () => {
    await categoryPlugin.executeCommand(context('add', { answers: { 'Select which capability': 'layer', 'name for your Lambda layer': 'common' } }).ctx);
    writeFileSync(join(fnDir('common'), 'opt/config.json'), '{}');
    writeFileSync(join(fnDir('common'), 'lib/nodejs/util.js'), 'module.exports = 1;');
    writeFileSync(join(fnDir('common'), 'lib/nodejs/package.json'), JSON.stringify({ version: '1.0.0', main: 'index.js' }));
    const built = await categoryPlugin.build!(context('build').ctx, ref('common', 'LambdaLayer'));
    const names = Object.keys(unzipSync(built.assets![0]!.body));
    assert.ok(names.includes('nodejs/util.js') && names.includes('config.json'), names.join(', '));
    assert.equal(built.template.Resources['LambdaLayerVersion']!.Type, 'AWS::Lambda::LayerVersion');
    assert.deepEqual(built.parameters!['runtimes'], ['nodejs22.x']);
  });

  void it('a secret named in secretNames but not set in the cloud fails the build naming it and `forte update function`', async () => {
    const ssm = await fakeCloud((req, body, res) => {
      const names = (JSON.parse(body) as { Names: string[] }).Names;
      const found = names.filter((n) => n.endsWith('_SET'));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          Parameters: found.map((Name) => ({ Name, Type: 'SecureString', Value: 'x', Version: 1 })),
          InvalidParameters: names.filter((n) => !found.includes(n)),
        }),
      );
    });
    servers.push(ssm.server);
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/amplify-meta.json'), JSON.stringify({ providers: { awscloudformation: { AmplifyAppId: 'app1' } } }));
    await add('secretive');
    const fpFile = join(fnDir('secretive'), 'function-parameters.json');
    writeFileSync(fpFile, JSON.stringify({ ...readJson(fpFile), secretNames: ['API_SET', 'API_TOKEN'] }));
    await assert.rejects(categoryPlugin.build!(context('build', { endpoint: ssm.endpoint }).ctx, ref('secretive')), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.match(e.message, /needs the secret API_TOKEN, which has no value in environment dev/);
      assert.match(e.resolution, /forte update function/);
      return true;
    });
    assert.equal(ssm.requests[0]!.headers['x-amz-target'], 'AmazonSSM.GetParameters');
    assert.deepEqual(JSON.parse(ssm.requests[0]!.body).Names, ['/amplify/app1/dev/AMPLIFY_secretive_API_SET', '/amplify/app1/dev/AMPLIFY_secretive_API_TOKEN']);
  });

  void it('invoke (and mock) call the Lambda Invoke API for <name>-<env> with the event file and print the result and the log tail', async () => {
    await add('hello');
    const lambda = await fakeCloud((req, body, res) => {
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-executed-version': '$LATEST',
          'x-amz-log-result': Buffer.from('START RequestId: 1\nhi there\nEND RequestId: 1\n').toString('base64'),
        })
        .end(JSON.stringify({ echoed: JSON.parse(body) }));
    });
    servers.push(lambda.server);
    writeFileSync(join(root, 'custom.json'), JSON.stringify({ who: 'me' }));
    for (const command of ['invoke', 'mock']) {
      const fake = context(command, { endpoint: lambda.endpoint, subCommands: ['hello'], options: { event: 'custom.json' } });
      await categoryPlugin.executeCommand(fake.ctx);
      assert.ok(fake.printed.some((p) => p.includes('hi there')));
      assert.ok(fake.printed.includes('{"echoed":{"who":"me"}}'));
    }
    assert.equal(lambda.requests[0]!.url, '/2015-03-31/functions/hello-dev/invocations');
    assert.equal(lambda.requests[0]!.headers['x-amz-log-type'], 'Tail');
    assert.match(String(lambda.requests[0]!.headers['authorization']), /Credential=AKID\/\d{8}\/us-east-1\/lambda\/aws4_request/);
    const defaultEvent = context('invoke', { endpoint: lambda.endpoint, subCommands: ['hello'] });
    await categoryPlugin.executeCommand(defaultEvent.ctx);
    assert.deepEqual(JSON.parse(lambda.requests[2]!.body), { key1: 'value1', key2: 'value2', key3: 'value3' });
    const failing = await fakeCloud((req, body, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
        .end(JSON.stringify({ errorType: 'TypeError', errorMessage: 'boom', trace: [] }));
    });
    servers.push(failing.server);
    const failed = context('invoke', { endpoint: failing.endpoint, subCommands: ['hello'] });
    await assert.rejects(categoryPlugin.executeCommand(failed.ctx), (e: unknown) => isUserError(e) && e.message === 'hello returned an error.');
    assert.ok(failed.printed.includes('Error (Unhandled):'));
    assert.ok(failed.printed.some((p) => p.includes('"errorMessage":"boom"')));
    writeFileSync(join(root, 'bad.json'), '{not json');
    await assert.rejects(
      categoryPlugin.executeCommand(context('invoke', { endpoint: lambda.endpoint, subCommands: ['hello'], options: { event: 'bad.json' } }).ctx),
      /not valid JSON/,
    );
  });

  void it('logs reads /aws/lambda/<name>-<env> through FilterLogEvents at <cloud>/logs/ from --since', async () => {
    const now = Date.now();
    const logs = await fakeCloud((req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          events: [
            { eventId: '1', timestamp: now - 1000, message: 'START RequestId: 1\n', logStreamName: 's' },
            { eventId: '2', timestamp: now, message: 'hello log\n', logStreamName: 's' },
          ],
        }),
      );
    });
    servers.push(logs.server);
    await add('logged');
    const fake = context('logs', { endpoint: logs.endpoint, subCommands: ['logged'], options: { since: '2h' } });
    await categoryPlugin.executeCommand(fake.ctx);
    assert.equal(logs.requests[0]!.url, '/logs/');
    assert.equal(logs.requests[0]!.headers['x-amz-target'], 'Logs_20140328.FilterLogEvents');
    const request = JSON.parse(logs.requests[0]!.body);
    assert.equal(request.logGroupName, '/aws/lambda/logged-dev');
    assert.ok(Math.abs(request.startTime - (now - 2 * 3_600_000)) < 60_000);
    assert.ok(fake.printed.some((p) => p.endsWith(' hello log')));
    await assert.rejects(
      categoryPlugin.executeCommand(context('logs', { endpoint: logs.endpoint, subCommands: ['logged'], options: { since: 'yesterday' } }).ctx),
      /not a duration/,
    );
  });
});
