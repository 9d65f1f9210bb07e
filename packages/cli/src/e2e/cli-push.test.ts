import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, removeProject, runForte } from './forte-runner.js';
import { writeTestCategoryPlugin } from './test-category-plugin.js';

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
/** The test resource type exists only when the cloud runs with test faults on. */
const ENV = { FORTE_TEST_FAULTS: '1' };

void describe('forte status and push (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], extra: { stdin?: string; onSpawn?: (pid: number) => void } = {}): Promise<ForteRun> =>
    runForte(args, { cwd: root, home, env: ENV, ...extra });
  const props = (name: string, value: Record<string, unknown>): void =>
    writeFileSync(join(root, 'amplify', 'backend', 'testcat', name, 'props.json'), JSON.stringify(value));
  const metaPath = (): string => join(root, 'amplify', 'backend', 'amplify-meta.json');

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'forte-push-'));
    home = join(work, 'home');
    root = join(work, 'app');
    mkdirSync(root);
    const init = await forte(['init', '--amplify', '{"projectName":"pushapp","envName":"dev"}', '--yes']);
    assert.equal(init.code, 0, init.stderr);
    const add = await forte(['plugin', 'add', writeTestCategoryPlugin(work)]);
    assert.equal(add.code, 0, add.stderr);
  });
  after(() => removeProject({ work, home }));

  void it('status before a push lists the new resource as Create (plugin word in either position)', async () => {
    assert.equal((await forte(['add', 'testcat', 'alpha'])).code, 0);
    assert.equal((await forte(['testcat', 'add', 'beta'])).code, 0);
    const status = await forte(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Current Environment: dev/);
    assert.match(status.stdout, /│ Testcat  │ alpha         │ Create    │ awscloudformation │/);
    assert.match(status.stdout, /│ Testcat  │ beta          │ Create    │ awscloudformation │/);
  });

  void it('without a terminal and without --yes, push says to pass --yes, once, before any table, and deploys nothing', async () => {
    const push = await forte(['push']);
    assert.equal(push.code, 1);
    assert.equal(push.stdout, '', 'no table, no preview');
    assert.match(push.stderr, /forte push asks you to confirm its changes, and there is no terminal to ask in\.\n\s+Pass --yes to push without asking/);
    assert.equal(push.stderr.match(/--yes/g)?.length, 1, push.stderr);
    assert.match((await forte(['status'])).stdout, /│ Testcat  │ alpha         │ Create    │/);
  });

  void it('a failing pre-push hook stops the push before anything is deployed', async () => {
    const hook = join(root, 'amplify', 'hooks', 'pre-push.js');
    writeFileSync(hook, 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{require("fs").writeFileSync("hook-input.json",s);process.exit(3)});');
    const push = await forte(['push', '--yes']);
    rmSync(hook);
    assert.equal(push.code, 1);
    assert.match(push.stderr, /pre-hook amplify\/hooks\/pre-push\.js failed with exit code 3/);
    const input = readJson(join(root, 'hook-input.json')) as { data: { amplify: { command: string; environment: { envName: string } } } };
    assert.equal(input.data.amplify.command, 'push');
    assert.equal(input.data.amplify.environment.envName, 'dev');
    assert.equal((readJson(metaPath())['testcat'] as Record<string, Record<string, unknown>>)['alpha']?.['lastPushTimeStamp'], undefined);
  });

  void it('push deploys, writes meta outputs and #current-cloud-backend, then status shows No Change', async () => {
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /│ Resource\s+│ Type\s+│ Action │ Reason\s+│/);
    assert.match(push.stdout, /testcatalpha\.Thing\s+│ Forte::Test::Resource │ Add/);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::Test::Resource\s+testcatalpha\.Thing/);
    const meta = readJson(metaPath()) as Record<string, Record<string, Record<string, unknown>>>;
    const alpha = meta['testcat']?.['alpha'];
    assert.deepEqual(alpha?.['output'], { Value: 'v1' });
    assert.deepEqual(alpha?.['providerMetadata'], { s3TemplateURL: 'amplify-cfn-templates/testcat/alpha-template.json', logicalId: 'testcatalpha' });
    assert.match(String(alpha?.['lastPushTimeStamp']), /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof alpha?.['lastPushDirHash'], 'string');
    const ccb = join(root, 'amplify', '#current-cloud-backend');
    assert.deepEqual(readJson(join(ccb, 'testcat', 'alpha', 'props.json')), { Value: 'v1' });
    assert.ok(existsSync(join(ccb, 'amplify-meta.json')) && existsSync(join(ccb, 'backend-config.json')) && existsSync(join(ccb, 'tags.json')));
    assert.ok(!existsSync(join(root, 'amplify', '.config', 'local-push-state.json')), 'the push marker is removed');
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Testcat  │ alpha         │ No Change │/);
    assert.match(status.stdout, /│ Testcat  │ beta          │ No Change │/);
  });

  void it('a push with no changes says "No changes detected" and deploys nothing', async () => {
    const before = readFileSync(metaPath(), 'utf8');
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stdout.trim(), 'No changes detected');
    assert.equal(readFileSync(metaPath(), 'utf8'), before);
  });

  void it('an edited resource is an Update; a failed deployment leaves the local files untouched', async () => {
    props('alpha', { Value: 'v2', FailOn: 'update' });
    const status = await forte(['status', 'testcat']);
    assert.match(status.stdout, /│ Testcat  │ alpha         │ Update    │/);
    assert.match(status.stdout, /│ Testcat  │ beta          │ No Change │/);
    assert.doesNotMatch(status.stdout, /Resources/, 'no diff without -v');
    // -v: the deployed template against the one push would deploy, per changed resource.
    const verbose = await forte(['status', '-v']);
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.ok(
      verbose.stdout.includes(
        [
          'Testcat alpha (Update)',
          '  Resources',
          '  [~] Forte::Test::Resource Thing',
          '   ├─ [~] Value',
          '   │   ├─ [-] "v1"',
          '   │   └─ [+] "v2"',
          '   └─ [+] FailOn',
          '       └─ [+] "update"',
        ].join('\n'),
      ),
      verbose.stdout,
    );
    assert.doesNotMatch(verbose.stdout, /Testcat beta/, 'unchanged resources have no diff');
    const meta = readFileSync(metaPath(), 'utf8');
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 1);
    assert.match(push.stderr, /The push failed and was rolled back: testcatalpha\.Thing \(Forte::Test::Resource\): .*FailOn update/);
    assert.equal(readFileSync(metaPath(), 'utf8'), meta);
    assert.deepEqual(readJson(join(root, 'amplify', '#current-cloud-backend', 'testcat', 'alpha', 'props.json')), { Value: 'v1' });
    props('alpha', { Value: 'v2' });
    const retry = await forte(['push', '--yes']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.deepEqual((readJson(metaPath())['testcat'] as Record<string, Record<string, unknown>>)['alpha']?.['output'], { Value: 'v2' });
  });

  void it('a removed resource is a Delete and leaves meta after the push', async () => {
    assert.equal((await forte(['remove', 'testcat', 'beta'])).code, 0);
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Testcat  │ beta          │ Delete    │/);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((readJson(metaPath())['testcat'] as Record<string, unknown>)['beta'], undefined);
    assert.ok(!existsSync(join(root, 'amplify', '#current-cloud-backend', 'testcat', 'beta')));
  });

  void it('a filtered push deploys only its resources; edits and removals outside it stay pending', async () => {
    assert.equal((await forte(['add', 'testcat', 'gamma'])).code, 0);
    assert.equal((await forte(['push', '--yes'])).code, 0);
    const output = (name: string): unknown => (readJson(metaPath())['testcat'] as Record<string, Record<string, unknown>> | undefined)?.[name]?.['output'];
    const deployedGamma = output('gamma');
    props('alpha', { Value: 'filtered' });
    props('gamma', { Value: 'not yet' });
    const push = await forte(['push', 'testcat', 'alpha', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual(output('alpha'), { Value: 'filtered' });
    assert.deepEqual(output('gamma'), deployedGamma, 'gamma was not deployed');
    const ccb = join(root, 'amplify', '#current-cloud-backend', 'testcat');
    assert.deepEqual(readJson(join(ccb, 'alpha', 'props.json')), { Value: 'filtered' });
    assert.notDeepEqual(readJson(join(ccb, 'gamma', 'props.json')), { Value: 'not yet' }, 'the snapshot keeps the deployed gamma');
    let status = await forte(['status']);
    assert.match(status.stdout, /│ Testcat  │ alpha         │ No Change │/);
    assert.match(status.stdout, /│ Testcat  │ gamma         │ Update    │/);

    // Removed locally but outside the filter: still deployed, still shown as a Delete to push.
    assert.equal((await forte(['remove', 'testcat', 'gamma'])).code, 0);
    props('alpha', { Value: 'filtered again' });
    assert.equal((await forte(['push', 'testcat', 'alpha', '--yes'])).code, 0);
    status = await forte(['status']);
    assert.match(status.stdout, /│ Testcat  │ gamma         │ Delete    │/);
    assert.ok(existsSync(join(ccb, 'gamma', 'props.json')));
    assert.equal((await forte(['push', '--yes'])).code, 0);
    assert.ok(!existsSync(join(ccb, 'gamma')));
    assert.match((await forte(['status'])).stdout, /│ Testcat  │ alpha         │ No Change │/);
  });

  void it('an unexpected error prints one line naming the log file, which holds the details', async () => {
    writeFileSync(join(root, 'amplify', 'backend', 'testcat', 'alpha', 'props.json'), '{broken');
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 1);
    const lines = push.stderr.trim().split('\n');
    assert.equal(lines.length, 1, push.stderr);
    const file = /details: (\S+\.log)\)/.exec(lines[0] ?? '')?.[1];
    assert.ok(file && file.startsWith(join(home, 'logs')), lines[0]);
    assert.match(readFileSync(file, 'utf8'), /SyntaxError[\s\S]*at /);
    props('alpha', { Value: 'v2' });
  });

  void it('a second push while one deploys is refused naming the holder; Ctrl-C leaves a marker that status and push settle', async () => {
    const other = join(work, 'other');
    mkdirSync(other);
    const tpi = readJson(join(root, 'amplify', 'team-provider-info.json')) as Record<string, { awscloudformation: { AmplifyAppId: string } }>;
    const pull = await runForte(['pull', '--appId', tpi['dev']?.awscloudformation.AmplifyAppId ?? '', '--envName', 'dev', '--yes'], {
      cwd: other,
      home,
      env: ENV,
    });
    assert.equal(pull.code, 0, pull.stderr);
    writeFileSync(join(other, 'amplify', 'backend', 'testcat', 'alpha', 'props.json'), JSON.stringify({ Value: 'other' }));
    props('alpha', { Value: 'v3', DelayMs: 6000 });
    let firstPid = 0;
    const first = forte(['push', '--yes'], { onSpawn: (pid) => (firstPid = pid) });
    const marker = join(root, 'amplify', '.config', 'local-push-state.json');
    const deadline = Date.now() + 30_000; // generous: a loaded machine starts the CLI slowly
    while (!(existsSync(marker) && readFileSync(marker, 'utf8').includes('deploymentId')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(marker), 'the first push wrote its marker');

    // A second folder on the same environment (its own marker): the cloud refuses it, naming the holder.
    const refused = await runForte(['push', '--yes'], { cwd: other, home, env: ENV });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Environment dev is being deployed by \S+@\S+ \(pid \d+\)/);
    assert.ok(!existsSync(join(other, 'amplify', '.config', 'local-push-state.json')), 'the refused push leaves no marker');
    process.kill(firstPid, 'SIGINT');
    const interrupted = await first;
    assert.equal(interrupted.code, 130);
    assert.match(interrupted.stderr, /Push interrupted; the cloud finishes or rolls back deployment \S+ on its own\. Run `forte status`\./);
    assert.ok(existsSync(marker), 'the marker stays after Ctrl-C');

    const during = await forte(['status']);
    assert.match(during.stderr + during.stdout, /still in progress|wholly new/);
    // The deployment (6 s of DelayMs: long enough for a second CLI to start on a loaded machine) goes on in the
    // cloud; status reports it once it is done.
    let status = await forte(['status']);
    for (const until = Date.now() + 20_000; Date.now() < until && !/wholly new/.test(status.stdout);) {
      await new Promise((r) => setTimeout(r, 500));
      status = await forte(['status']);
    }
    assert.match(status.stdout, /completed in the cloud: environment dev is wholly new/);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /The local files now match the cloud/);
    assert.ok(!existsSync(marker));
    assert.deepEqual((readJson(metaPath())['testcat'] as Record<string, Record<string, unknown>>)['alpha']?.['output'], { Value: 'v3' });
    assert.match((await forte(['status'])).stdout, /│ Testcat  │ alpha         │ No Change │/);
  });

  void it('kill -9 of the CLI and of the cloud mid-push: the next command finds the env wholly old and unlocked', async () => {
    const before = readJson(metaPath());
    props('alpha', { Value: 'v4', HangOn: 'update' });
    let cliPid = 0;
    const hung = forte(['push', '--yes'], { onSpawn: (pid) => (cliPid = pid) });
    const marker = join(root, 'amplify', '.config', 'local-push-state.json');
    const deadline = Date.now() + 30_000; // generous: a loaded machine starts the CLI slowly
    while (!(existsSync(marker) && readFileSync(marker, 'utf8').includes('deploymentId')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(marker), 'the push reached the cloud');
    const cloud = readJson(join(home, 'cloud', 'cloud.json')) as { pid: number };
    process.kill(cliPid, 'SIGKILL');
    process.kill(cloud.pid, 'SIGKILL');
    assert.equal((await hung).code, null, 'the CLI was killed');
    const killedAt = Date.now();
    while (Date.now() - killedAt < 5000) {
      try {
        process.kill(cloud.pid, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        break; // the cloud process is gone
      }
    }

    // The next command starts the cloud again; its recovery rolls the deployment back.
    const status = await forte(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout + status.stderr, /Started the local Forte Cloud/);
    assert.match(status.stdout + status.stderr, /did not complete.*the environment is wholly as it was before it/);
    assert.ok(!existsSync(marker), 'the marker is settled');
    assert.deepEqual(readJson(metaPath()), before, 'local files untouched');

    props('alpha', { Value: 'v5' });
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual((readJson(metaPath())['testcat'] as Record<string, Record<string, unknown>>)['alpha']?.['output'], { Value: 'v5' });
  });
});
