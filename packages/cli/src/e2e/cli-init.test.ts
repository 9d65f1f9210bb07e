import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GITIGNORE_BEGIN, GITIGNORE_END, GITIGNORE_LINES } from '@forte/protocol';
import { removeProject, runForte, runForteInTerminal } from './forte-runner.js';

const AMPLIFY = JSON.stringify({ projectName: 'myapp1', envName: 'dev', defaultEditor: 'code' });
const FRONTEND = JSON.stringify({
  frontend: 'javascript',
  framework: 'react',
  config: { SourceDir: 'src', DistributionDir: 'build', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
});
const PROVIDERS = JSON.stringify({ awscloudformation: { configLevel: 'project', useProfile: true, profileName: 'default' } });
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte init (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-init-'));
    home = join(work, 'home');
  });
  after(() => removeProject({ work, home }));

  void it('headless init writes every project file in Amplify shape and creates the env in the cloud', async () => {
    const root = join(work, 'headless');
    mkdirSync(root);
    writeFileSync(join(root, '.gitignore'), `node_modules\n${GITIGNORE_BEGIN}\nold-line\n${GITIGNORE_END}\n`);
    const run = await runForte(['init', '--amplify', AMPLIFY, '--frontend', FRONTEND, '--providers', PROVIDERS, '--yes'], { cwd: root, home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Started the local Forte Cloud at http:\/\/127\.0\.0\.1:\d+ \(stop it with `forte cloud stop`\)/);
    // Amplify's summary of what is applied (here from the flags), the cloud it connected to, and the next steps.
    assert.match(
      run.stdout,
      /The following configuration will be applied:\n\nProject information\n\| Name: myapp1\n\| Environment: dev\n\| Default editor: Visual Studio Code\n\| App type: javascript\n\| Javascript framework: react\n\| Source Directory Path: src\n\| Distribution Directory Path: build\n\| Build Command: npm run-script build\n\| Start Command: npm run-script start\n/,
    );
    assert.doesNotMatch(run.stdout, /Initialize the project with the above configuration\?/, '--yes accepts the summary without asking');
    assert.match(run.stdout, /Connected to the local Forte Cloud at http:\/\/127\.0\.0\.1:\d+\n/);
    assert.match(
      run.stdout,
      /Some next steps:\n"forte status" [^\n]+\n"forte add <category>" [^\n]*"forte add auth"[^\n]*"forte add api"[^\n]*\n"forte push" [^\n]+\n/,
    );

    const a = join(root, 'amplify');
    const config = readJson(join(a, '.config', 'project-config.json')) as Record<string, unknown>;
    assert.deepEqual(config, {
      projectName: 'myapp1',
      version: '3.1',
      frontend: 'javascript',
      javascript: {
        framework: 'react',
        config: { SourceDir: 'src', DistributionDir: 'build', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
      },
      providers: ['awscloudformation'],
    });
    assert.deepEqual(readJson(join(a, '.config', 'local-env-info.json')), { projectPath: root, defaultEditor: 'code', envName: 'dev' });
    assert.deepEqual(readJson(join(a, '.config', 'local-aws-info.json')), { dev: { configLevel: 'project', useProfile: true, profileName: 'default' } });

    const tpi = readJson(join(a, 'team-provider-info.json')) as Record<string, { awscloudformation: Record<string, string> }>;
    const info = tpi['dev']?.awscloudformation;
    assert.ok(info);
    assert.match(info['StackName'] ?? '', /^amplify-myapp1-dev-\d+$/);
    const suffix = /(\d+)$/.exec(info['StackName'] ?? '')?.[1];
    assert.equal(info['DeploymentBucketName'], `amplify-myapp1-dev-${suffix}-deployment`);
    assert.equal(info['AuthRoleName'], `amplify-myapp1-dev-${suffix}-authRole`);
    assert.equal(info['UnauthRoleName'], `amplify-myapp1-dev-${suffix}-unauthRole`);
    assert.match(info['AuthRoleArn'] ?? '', /^arn:aws:iam::\d{12}:role\/amplify-myapp1-dev-\d+-authRole$/);
    assert.match(info['UnauthRoleArn'] ?? '', /^arn:aws:iam::\d{12}:role\/amplify-myapp1-dev-\d+-unauthRole$/);
    assert.match(info['StackId'] ?? '', /^arn:aws:cloudformation:[a-z0-9-]+:\d{12}:stack\/amplify-myapp1-dev-\d+\//);
    assert.ok(info['Region']);
    assert.ok(info['AmplifyAppId']);

    assert.deepEqual(readJson(join(a, 'backend', 'amplify-meta.json')), { providers: { awscloudformation: info } });
    assert.deepEqual(readJson(join(a, 'backend', 'backend-config.json')), {});
    assert.deepEqual(readJson(join(a, 'backend', 'tags.json')), [
      { Key: 'user:Stack', Value: 'dev' },
      { Key: 'user:Application', Value: 'myapp1' },
    ]);
    const cli = readJson(join(a, 'cli.json')) as { features: { graphqltransformer: { transformerversion: number }; project: { overrides: boolean } } };
    assert.equal(cli.features.graphqltransformer.transformerversion, 2);
    assert.equal(cli.features.project.overrides, true);
    assert.deepEqual(readdirSync(join(a, 'hooks')).sort(), ['README.md', 'post-push.sh.sample', 'pre-push.js.sample']);
    assert.ok(existsSync(join(a, 'README.md')));

    const gitignore = readFileSync(join(root, '.gitignore'), 'utf8');
    assert.ok(gitignore.startsWith('node_modules\n'));
    assert.ok(!gitignore.includes('old-line'), 'the old block is replaced');
    assert.equal(gitignore.split(GITIGNORE_BEGIN).length, 2, 'one block');
    assert.ok(gitignore.includes([GITIGNORE_BEGIN, ...GITIGNORE_LINES, GITIGNORE_END].join('\n')));
    assert.ok(existsSync(join(root, 'src', 'aws-exports.js')), 'frontend config written');
  });

  void it('a local cloud left running by another build is restarted by the next command that needs it', async () => {
    const cloudJson = join(home, 'cloud', 'cloud.json');
    const started = readJson(cloudJson) as { pid: number; bin: string; version: string; build: number | null };
    assert.match(started.bin, /dist\/bin\.cjs$/, 'cloud.json names the build: bin, version, build stamp');
    const status = (await runForte(['cloud', 'status'], { cwd: work, home })).stdout;
    assert.doesNotMatch(status, /another build/);
    // Started by the ES module entry of the same package (dist/bin.js runs dist/bin.cjs): the same build.
    writeFileSync(cloudJson, JSON.stringify({ ...started, bin: started.bin.replace(/bin\.cjs$/, 'bin.js') }));
    assert.doesNotMatch((await runForte(['cloud', 'status'], { cwd: work, home })).stdout, /another build/);
    writeFileSync(cloudJson, JSON.stringify({ ...started, bin: '/elsewhere/dist/bin.cjs' }));
    assert.match((await runForte(['cloud', 'status'], { cwd: work, home })).stdout, /another build than this forte's \(it runs \/elsewhere\/dist\/bin\.cjs/);
    assert.match(status, /^Engines: database sqlite, blobs folder, bus none\.$/m, 'the engines in use');
    assert.match(status, /^HTTPS \(the hosted UI's sign-in pages\) at https:\/\/[^ ]+:\d+\/?\.$/m, 'its HTTPS listener');
    // As if an earlier forte had started it.
    writeFileSync(cloudJson, JSON.stringify({ ...started, version: '0.0.1-old' }));
    assert.match(
      (await runForte(['cloud', 'status'], { cwd: work, home })).stdout,
      /another build than this forte's \(it runs version 0\.0\.1-old, this forte uses /,
    );
    const run = await runForte(['mailbox'], { cwd: work, home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Restarting the local Forte Cloud \(it runs version 0\.0\.1-old, this forte uses [^)]+\)\.\n[\s\S]*Started the local Forte Cloud/);
    const restarted = readJson(cloudJson) as { pid: number; version: string };
    assert.notEqual(restarted.pid, started.pid);
    assert.notEqual(restarted.version, '0.0.1-old');
    assert.throws(() => process.kill(started.pid, 0), 'the old cloud has stopped');
    assert.doesNotMatch((await runForte(['mailbox'], { cwd: work, home })).stdout, /Restarting/, 'the same build is kept');
  });

  void it('init --yes takes the defaults (project name from the folder, env dev)', async () => {
    const root = join(work, 'yes-app');
    mkdirSync(root);
    const run = await runForte(['init', '--yes'], { cwd: root, home });
    assert.equal(run.code, 0, run.stderr);
    const config = readJson(join(root, 'amplify', '.config', 'project-config.json')) as { projectName: string; frontend: string };
    assert.equal(config.projectName, 'yesapp');
    assert.equal(config.frontend, 'javascript');
    assert.equal((readJson(join(root, 'amplify', '.config', 'local-env-info.json')) as { envName: string }).envName, 'dev');
  });

  void it('without a terminal and without --yes, init asks to pass --yes', async () => {
    const root = join(work, 'notty');
    mkdirSync(root);
    const run = await runForte(['init'], { cwd: root, home });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /this command asks questions: run it in a terminal, or pass --yes \(or --headless\)/);
    assert.ok(!existsSync(join(root, 'amplify')));
  });

  void it('malformed --amplify JSON: one line naming the flag and the parse error, exit 1, nothing written', async () => {
    const root = join(work, 'badjson');
    mkdirSync(root);
    const run = await runForte(['init', '--amplify', '{"projectName":', '--yes'], { cwd: root, home });
    assert.equal(run.code, 1);
    const first = run.stderr.split('\n')[0] ?? '';
    assert.match(first, /--amplify is not valid JSON: .+/);
    assert.deepEqual(readdirSync(root), []);
  });

  void it('bad names are user errors naming the rule', async () => {
    const root = join(work, 'badenv');
    mkdirSync(root);
    const env = await runForte(['init', '--amplify', '{"projectName":"okname","envName":"Dev1"}', '--yes'], { cwd: root, home });
    assert.equal(env.code, 1);
    assert.match(env.stderr, /environment name "Dev1" must be 2 to 10 lowercase letters/);
    // An explicit name is refused, not changed: Amplify's rule (isProjectNameValid) and how to fix it.
    for (const bad of ['a-b', 'my-app_1', 'ab', 'a'.repeat(21)]) {
      const name = await runForte(['init', '--amplify', JSON.stringify({ projectName: bad, envName: 'dev' }), '--yes'], { cwd: root, home });
      assert.equal(name.code, 1, bad);
      assert.match(
        name.stderr,
        new RegExp(`project name "${bad}" is not valid: it must have 3 to 20 characters, letters \\(a-z, A-Z\\) and digits \\(0-9\\) only`),
      );
      assert.match(name.stderr, /--amplify '\{"projectName":"[A-Za-z0-9]{3,20}"\}'/);
    }
    assert.deepEqual(readdirSync(root), []);
  });

  void it('malformed JSON in an amplify file: one-line error naming the file, exit 1, files unchanged', async () => {
    const root = join(work, 'headless');
    const file = join(root, 'amplify', 'backend', 'backend-config.json');
    writeFileSync(file, '{"hosting": ');
    const before = readdirSync(join(root, 'amplify', 'backend')).sort();
    const run = await runForte(['status'], { cwd: root, home });
    assert.equal(run.code, 1);
    assert.match(run.stderr.split('\n')[0] ?? '', /amplify\/backend\/backend-config\.json is not valid JSON: /);
    assert.equal(readFileSync(file, 'utf8'), '{"hosting": ');
    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 1);
    assert.equal(readFileSync(file, 'utf8'), '{"hosting": ');
    assert.deepEqual(readdirSync(join(root, 'amplify', 'backend')).sort(), before);
    writeFileSync(file, '{}\n');
  });

  void it('unknown commands and flags exit 2 naming them and suggesting forte help', async () => {
    const cmd = await runForte(['frobnicate'], { cwd: work, home });
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /Unknown command: frobnicate/);
    assert.match(cmd.stderr, /forte help/);
    const flag = await runForte(['status', '--bogus'], { cwd: work, home });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option --bogus for forte status/);
  });

  void it('typos get "did you mean", help of an unknown command exits 2, a category Forte lacks says so', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['pussh'], 2, /Unknown command: pussh\. Did you mean "forte push"\?/],
      [['push', '--yess'], 2, /Unknown option --yess for forte push\. Did you mean "--yes"\?/],
      [['ad', 'api'], 2, /Did you mean "forte add api"\?/],
      [['add', 'apii'], 2, /Unknown command: add apii\. Did you mean "forte add api"\?/],
      [['help', 'nosuch'], 2, /no command or category named nosuch/],
      [['help', 'stauts'], 2, /Did you mean "forte help status"\?/],
      [['add', 'geo'], 1, /Forte has no geo category yet\.\n.*The categories Forte has today: analytics, api, auth, custom, function, hosting, storage/],
    ];
    for (const [args, code, message] of cases) {
      const run = await runForte(args, { cwd: work, home });
      assert.equal(run.code, code, `forte ${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, `forte ${args.join(' ')}`);
    }
    const frobnicate = await runForte(['frobnicate'], { cwd: work, home });
    assert.doesNotMatch(frobnicate.stderr, /Did you mean/, 'nothing is suggested when no word is close');
    const apiHelp = await runForte(['help', 'api'], { cwd: work, home });
    assert.equal(apiHelp.code, 0, apiHelp.stderr);
    assert.match(apiHelp.stdout, /Commands: .*gql-compile/);
  });

  void it('a port held by another program: the cloud is not started, and the message names the port and how to choose another', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const own = join(work, 'port-home');
      const run = await runForte(['cloud', 'start', '--detach'], { cwd: work, home: own, env: { FORTE_CLOUD_PORT: String(port) } });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`port ${port} is used by another program`));
      assert.match(run.stderr, /FORTE_CLOUD_PORT=<port>.*forte cloud start --port <port>/);
      assert.doesNotMatch(run.stderr, /exit code/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  void it('a cloud.json whose pid now belongs to another process (kill -9, then pid reuse or a zombie): start and stop see through it', async () => {
    const own = join(work, 'reused-pid-home');
    mkdirSync(join(own, 'cloud'), { recursive: true });
    // A live process that is not a cloud, and a URL nothing answers at.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const stale = JSON.stringify({ pid: other.pid, port: 1, url: deadUrl, instance: 'gone' });
    try {
      writeFileSync(join(own, 'cloud', 'cloud.json'), stale);
      const stop = await runForte(['cloud', 'stop'], { cwd: work, home: own });
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal(other.exitCode, null, 'the unrelated process was not signalled');
      assert.equal(other.signalCode, null);
      writeFileSync(join(own, 'cloud', 'cloud.json'), stale);
      const start = await runForte(['cloud', 'start', '--detach'], { cwd: work, home: own });
      assert.equal(start.code, 0, start.stderr);
      const status = await runForte(['cloud', 'status'], { cwd: work, home: own });
      assert.match(status.stdout, /running/i, status.stdout);
      assert.equal(other.exitCode, null);
    } finally {
      await runForte(['cloud', 'stop'], { cwd: work, home: own });
      other.kill('SIGKILL');
    }
  });

  void it('Ctrl-C at a question cancels: "Cancelled.", exit 130, no stack trace and nothing written', async () => {
    const root = join(work, 'cancelled');
    mkdirSync(root);
    const run = await runForteInTerminal(['init'], { cwd: root, home }, [[/Enter a name for the project/, '\x03']]);
    assert.equal(run.code, 130, run.screen);
    assert.match(run.screen, /Cancelled\./);
    assert.doesNotMatch(run.screen, /unexpected error|at .*\.js:\d+/i);
    assert.equal(existsSync(join(root, 'amplify')), false);
  });

  void it('help, --help and --version', async () => {
    const help = await runForte(['help'], { cwd: work, home });
    assert.equal(help.code, 0);
    for (const c of ['init', 'status', 'push', 'pull', 'publish', 'env', 'delete', 'configure', 'cloud', 'plugin'])
      assert.match(help.stdout, new RegExp(`\\n  ${c} `));
    const pushHelp = await runForte(['push', '--help'], { cwd: work, home });
    assert.equal(pushHelp.code, 0);
    assert.match(pushHelp.stdout, /^forte push/);
    const version = await runForte(['-v'], { cwd: work, home });
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  void it('plugin list shows the official plugins; scan rewrites plugins.json', async () => {
    const list = await runForte(['plugin', 'list'], { cwd: work, home });
    assert.equal(list.code, 0, list.stderr);
    for (const name of ['awscloudformation', 'hosting', 'javascript']) assert.match(list.stdout, new RegExp(`│ ${name} `));
    const file = join(home, 'plugins.json');
    const before = readJson(file) as { lastScanTime: string; pluginPrefixes: string[]; plugins: Record<string, unknown> };
    assert.deepEqual(before.pluginPrefixes, ['forte-']);
    assert.ok(before.plugins['awscloudformation']);
    writeFileSync(file, JSON.stringify({ ...before, lastScanTime: '2000-01-01T00:00:00.000Z' }));
    const scan = await runForte(['plugin', 'scan'], { cwd: work, home });
    assert.equal(scan.code, 0, scan.stderr);
    const after = readJson(file) as { lastScanTime: string };
    assert.ok(Date.parse(after.lastScanTime) > Date.parse('2020-01-01'));
  });
});
