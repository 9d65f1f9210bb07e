import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, removeProject, runForte } from './forte-runner.js';

void describe('forte hosting: init → add hosting → publish → fetch the page (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], cwd = root): Promise<ForteRun> => runForte(args, { cwd, home });

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-hosting-'));
    home = join(work, 'home');
    root = join(work, 'site');
    mkdirSync(root);
  });
  after(() => removeProject({ work, home }));

  void it('publishes the built frontend and serves it; status shows the hosting endpoint', async () => {
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'site', private: true, scripts: { build: "mkdir -p build && echo '<h1>hello from forte</h1>' > build/index.html" } }),
    );
    const init = await forte([
      'init',
      '--amplify',
      '{"projectName":"siteapp","envName":"dev"}',
      '--frontend',
      '{"frontend":"javascript","framework":"react"}',
      '--yes',
    ]);
    assert.equal(init.code, 0, init.stderr);
    const add = await forte(['add', 'hosting', '--yes']);
    assert.equal(add.code, 0, add.stderr);
    const publish = await forte(['publish', '--yes']);
    assert.equal(publish.code, 0, publish.stderr);
    assert.match(publish.stdout, /CREATE_COMPLETE\s+Forte::Hosting::Site/);
    const meta = JSON.parse(readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8')) as {
      hosting: Record<string, { output: { Url: string } }>;
    };
    const output = Object.values(meta.hosting)[0]?.output;
    assert.ok(output?.Url);
    // The site's own host name (browsers resolve *.localhost themselves; Node is given the address).
    const site = new URL(output.Url);
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: site.port, path: '/', headers: { host: site.host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(page.status, 200);
    assert.match(page.body, /hello from forte/);

    const status = await forte(['status']);
    assert.match(status.stdout, new RegExp(`Hosting endpoint: ${output.Url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const again = await forte(['publish', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes detected; publishing the frontend/);
  });

  void it('configure writes a 0600 profile that a project can use as its cloud', async () => {
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const configure = await forte(
      [
        'configure',
        '--profile',
        'team',
        '--endpoint',
        cloud.url,
        '--access-key-id',
        keys.accessKeyId,
        '--secret-access-key',
        keys.secretAccessKey,
        '--region',
        'us-east-1',
      ],
      work,
    );
    assert.equal(configure.code, 0, configure.stderr);
    assert.doesNotMatch(configure.stdout + configure.stderr, new RegExp(keys.secretAccessKey.replace(/[+/]/g, '.')));
    const file = join(home, 'profiles.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as Record<string, { endpoint: string }>)['team']?.endpoint, cloud.url);
    const other = join(work, 'teamapp');
    mkdirSync(other);
    const init = await forte(
      [
        'init',
        '--amplify',
        '{"projectName":"teamapp","envName":"dev"}',
        '--providers',
        '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"team"}}',
        '--yes',
      ],
      other,
    );
    assert.equal(init.code, 0, init.stderr);
    const awsInfo = JSON.parse(readFileSync(join(other, 'amplify', '.config', 'local-aws-info.json'), 'utf8')) as Record<string, { profileName: string }>;
    assert.equal(awsInfo['dev']?.profileName, 'team');
    const missing = await forte(
      [
        'init',
        '--amplify',
        '{"projectName":"noprof","envName":"dev"}',
        '--providers',
        '{"awscloudformation":{"useProfile":true,"profileName":"ghost"}}',
        '--yes',
      ],
      mkdtempSync(join(work, 'ghost-')),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /The profile ghost is not configured/);
  });

  void it('status with the local cloud stopped says the endpoints do not answer, and starts nothing', async () => {
    const running = await forte(['status']);
    assert.doesNotMatch(running.stderr, /not running/, 'the cloud runs: nothing to warn of');
    assert.equal((await forte(['cloud', 'stop'])).code, 0);
    const stopped = await forte(['status']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /Hosting endpoint: /);
    assert.match(stopped.stderr, /The local Forte Cloud is not running: these endpoints answer once it is started/);
    assert.match((await forte(['cloud', 'status'])).stdout, /not running/i, 'status started no cloud');
  });
});
