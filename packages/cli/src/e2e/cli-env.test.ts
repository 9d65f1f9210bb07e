import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, removeProject, runForte, runForteInTerminal } from './forte-runner.js';
import { writeTestCategoryPlugin } from './test-category-plugin.js';

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const ENV = { FORTE_TEST_FAULTS: '1' };

void describe('forte env, pull and delete (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let appId: string;
  const forte = (args: string[], cwd = root): Promise<ForteRun> => runForte(args, { cwd, home, env: ENV });
  const envName = (dir = root): string => (readJson(join(dir, 'amplify', '.config', 'local-env-info.json')) as { envName: string }).envName;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'forte-env-'));
    home = join(work, 'home');
    root = join(work, 'app');
    mkdirSync(root);
    assert.equal((await forte(['init', '--amplify', '{"projectName":"envapp","envName":"dev"}', '--yes'])).code, 0);
    assert.equal((await forte(['plugin', 'add', writeTestCategoryPlugin(work)])).code, 0);
    const help = await forte(['add', 'testcat', '--help']);
    assert.match(help.stdout, /^Usage: forte add testcat \[options\]/);
    assert.deepEqual(
      [...help.stdout.matchAll(/^ {2}(?:-[a-z], )?--([a-z]+)/gm)].map((m) => m[1]),
      ['value', 'yes', 'headless', 'help'],
      help.stdout,
    );
    assert.equal((await forte(['help', 'add', 'testcat'])).stdout, help.stdout);
    assert.equal((await forte(['help', 'testcat', 'add'])).stdout, help.stdout);
    const typo = await forte(['add', 'testcat', 'gamma', '--valeu', 'v1']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Unknown option --valeu for forte add testcat\. Did you mean "--value"\?/);
    assert.equal((await forte(['add', 'testcat', 'gamma', '--value', 'v1'])).code, 0);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr);
    appId = (readJson(join(root, 'amplify', 'team-provider-info.json'))['dev'] as { awscloudformation: { AmplifyAppId: string } }).awscloudformation
      .AmplifyAppId;
  });
  after(() => removeProject({ work, home }));

  void it('env add creates and checks out a new env with the same backend, nothing deployed yet', async () => {
    const add = await forte(['env', 'add', 'prod', '--yes']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(envName(), 'prod');
    const tpi = readJson(join(root, 'amplify', 'team-provider-info.json')) as Record<string, { awscloudformation: Record<string, string> }>;
    assert.deepEqual(Object.keys(tpi).sort(), ['dev', 'prod']);
    assert.match(tpi['prod']?.awscloudformation['StackName'] ?? '', /^amplify-envapp-prod-\d+$/);
    assert.equal(tpi['prod']?.awscloudformation['AmplifyAppId'], appId);
    assert.ok(readJson(join(root, 'amplify', '.config', 'local-aws-info.json'))['prod']);
    const status = await forte(['status']);
    assert.match(status.stdout, /Current Environment: prod/);
    assert.match(status.stdout, /│ Testcat  │ gamma         │ Create    │/);
    const verbose = await forte(['status', '-v']);
    assert.match(
      verbose.stdout,
      /Testcat gamma \(Create\)\n {2}Parameters\n {2}\[\+\] env\n {2}\[\+\] AppId\n\n {2}Resources\n {2}\[\+\] Forte::Test::Resource Thing/,
    );
  });

  void it('env list (table and --json) and env get', async () => {
    const list = await forte(['env', 'list']);
    assert.match(list.stdout, /\| Environments \|/);
    assert.match(list.stdout, /\| \*prod\s+\|/);
    assert.match(list.stdout, /\| dev\s+\|/);
    const json = await forte(['env', 'list', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), { envs: ['dev', 'prod'] });
    const get = await forte(['env', 'get', '--name', 'dev', '--json']);
    const entry = JSON.parse(get.stdout) as { dev: { awscloudformation: { AmplifyAppId: string } } };
    assert.equal(entry.dev.awscloudformation.AmplifyAppId, appId);
    const missing = await forte(['env', 'get', '--name', 'nope']);
    assert.equal(missing.code, 1);
  });

  void it('env checkout switches back and rebuilds meta from the cloud', async () => {
    const checkout = await forte(['env', 'checkout', 'dev']);
    assert.equal(checkout.code, 0, checkout.stderr);
    assert.equal(envName(), 'dev');
    const meta = readJson(join(root, 'amplify', 'backend', 'amplify-meta.json')) as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(meta['testcat']?.['gamma']?.['output'], { Value: 'v1' });
    assert.match((await forte(['status'])).stdout, /│ Testcat  │ gamma         │ No Change │/);
  });

  void it('in a narrow terminal the status table fits it; piped output keeps whole names', async () => {
    const narrow = await runForteInTerminal(['status'], { cwd: root, home, env: ENV, columns: 55 }, []);
    assert.equal(narrow.code, 0, narrow.screen);
    const table = narrow.screen.split(/\r?\n/).filter((line) => /^[┌│├└]/.test(line));
    assert.ok(table.length >= 5 && table.every((line) => line.length <= 55), narrow.screen);
    assert.match(narrow.screen, /│ Testcat +│ gamma +│ No Change │ awsclo…mation │/);
    assert.match((await forte(['status'])).stdout, /│ Testcat  │ gamma         │ No Change │ awscloudformation │/);
  });

  void it('status -v after a checkout diffs against the template that environment deployed', async () => {
    const unchanged = await forte(['status', '-v']);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stdout, /│ Testcat  │ gamma         │ No Change │/);
    assert.doesNotMatch(unchanged.stdout, /\[[+~-]\]|Testcat gamma \(/);
    const props = join(root, 'amplify', 'backend', 'testcat', 'gamma', 'props.json');
    writeFileSync(props, JSON.stringify({ Value: 'v2' }));
    try {
      const changed = await forte(['status', '-v']);
      assert.match(changed.stdout, /│ Testcat  │ gamma         │ Update    │/);
      const diff = changed.stdout.slice(changed.stdout.indexOf('Testcat gamma (Update)'));
      assert.match(
        diff,
        /^Testcat gamma \(Update\)\n {2}Resources\n {2}\[~\] Forte::Test::Resource Thing\n {3}└─ \[~\] Value\n {7}├─ \[-\] "v1"\n {7}└─ \[\+\] "v2"\n/,
      );
      assert.doesNotMatch(diff, /Parameters|\[\+\] env/, 'the parameters deployed are known, so none is shown as added');
    } finally {
      writeFileSync(props, JSON.stringify({ Value: 'v1' }));
    }
  });

  void it('env remove refuses the current env and deletes another', async () => {
    const refused = await forte(['env', 'remove', 'dev', '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /dev is the checked-out environment and cannot be removed/);
    const removed = await forte(['env', 'remove', 'prod', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse((await forte(['env', 'list', '--json'])).stdout), { envs: ['dev'] });
    const attach = await forte(['pull', '--appId', appId, '--envName', 'prod', '--yes'], mkdtempSync(join(work, 'gone-')));
    assert.equal(attach.code, 1, 'the removed env is gone in the cloud');
  });

  void it('pull attaches a second folder; an existing backend/ is kept unless --restore', async () => {
    const fresh = join(work, 'fresh');
    mkdirSync(fresh);
    const pull = await forte(['pull', '--appId', appId, '--envName', 'dev', '--yes'], fresh);
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(readJson(join(fresh, 'amplify', 'backend', 'testcat', 'gamma', 'props.json')), { Value: 'v1' });
    assert.deepEqual(readJson(join(fresh, 'amplify', '#current-cloud-backend', 'testcat', 'gamma', 'props.json')), { Value: 'v1' });
    const deployed = readJson(join(fresh, 'amplify', '#current-cloud-backend', 'awscloudformation', 'build', 'testcat', 'gamma-template.json')) as {
      template: { Resources: Record<string, unknown> };
    };
    assert.deepEqual(Object.keys(deployed.template.Resources), ['Thing'], 'the deployed template comes with the pull');
    assert.ok(!existsSync(join(fresh, 'amplify', 'backend', 'awscloudformation')), 'backend/ gets the sources only');
    assert.equal((readJson(join(fresh, 'amplify', '.config', 'project-config.json')) as { projectName: string }).projectName, 'envapp');
    assert.match((await forte(['status'], fresh)).stdout, /│ Testcat  │ gamma         │ No Change │/);

    const kept = join(work, 'kept');
    mkdirSync(join(kept, 'amplify', 'backend'), { recursive: true });
    writeFileSync(join(kept, 'amplify', 'backend', 'mine.txt'), 'local work');
    const keep = await forte(['pull', '--amplify', JSON.stringify({ appId, envName: 'dev' }), '--yes'], kept);
    assert.equal(keep.code, 0, keep.stderr);
    assert.equal(readFileSync(join(kept, 'amplify', 'backend', 'mine.txt'), 'utf8'), 'local work');
    assert.ok(!existsSync(join(kept, 'amplify', 'backend', 'testcat')), 'backend/ not overwritten');
    assert.ok(existsSync(join(kept, 'amplify', '#current-cloud-backend', 'testcat', 'gamma', 'props.json')));
    const restore = await forte(['pull', '--restore', '--yes'], kept);
    assert.equal(restore.code, 0, restore.stderr);
    assert.ok(!existsSync(join(kept, 'amplify', 'backend', 'mine.txt')));
    assert.deepEqual(readJson(join(kept, 'amplify', 'backend', 'testcat', 'gamma', 'props.json')), { Value: 'v1' });
  });

  void it('a cloned project (committed files only) works after env checkout', async () => {
    const clone = join(work, 'clone');
    const ignored = ['#current-cloud-backend', 'local-env-info.json', 'local-aws-info.json', 'amplify-meta.json'];
    cpSync(join(root, 'amplify'), join(clone, 'amplify'), { recursive: true, filter: (src) => !ignored.some((name) => src.endsWith(name)) });
    const status = await forte(['status'], clone);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /forte env checkout/);
    const checkout = await forte(['env', 'checkout', 'dev'], clone);
    assert.equal(checkout.code, 0, checkout.stderr);
    assert.match((await forte(['status'], clone)).stdout, /│ Testcat  │ gamma         │ No Change │/);
  });

  void it('delete --force removes, without asking, every env and the app in the cloud, then amplify/ and aws-exports.js', async () => {
    const del = await forte(['delete', '--force']);
    assert.equal(del.code, 0, del.stderr);
    assert.ok(!existsSync(join(root, 'amplify')));
    assert.ok(!existsSync(join(root, 'src', 'aws-exports.js')));
    const attach = await forte(['pull', '--appId', appId, '--envName', 'dev', '--yes'], mkdtempSync(join(work, 'deleted-')));
    assert.equal(attach.code, 1);
    assert.match(attach.stderr, /not found|does not exist|No app/i);
  });
});
