#!/usr/bin/env node
// The demo: a fresh project from examples/hosting-site, `forte init`, `forte add hosting`,
// `forte publish`, then a check that the published page loads. It uses your FORTE_HOME (default
// ~/.forte): the local cloud it starts keeps running, so the printed URL keeps working.
// Stop it with `node packages/cli/dist/bin.js cloud stop`.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const forte = join(root, 'packages/cli/dist/bin.js');
const project = mkdtempSync(join(tmpdir(), 'forte-demo-'));
cpSync(join(root, 'examples/hosting-site'), project, { recursive: true });

const run = (args, label) => {
  console.log(`\n$ forte ${label ?? args.join(' ')}`);
  const result = spawnSync(process.execPath, [forte, ...args], { cwd: project, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\nThe demo stopped: \`forte ${label ?? args.join(' ')}\` exited with ${result.status}.`);
    process.exit(1);
  }
};

console.log(`Demo project: ${project}`);
const amplify = JSON.stringify({ projectName: 'fortedemo', envName: 'dev', defaultEditor: 'code' });
const frontend = JSON.stringify({
  frontend: 'javascript',
  framework: 'none',
  config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
});
const providers = JSON.stringify({ awscloudformation: { configLevel: 'project', useProfile: true, profileName: 'default' } });
run(['init', '--amplify', amplify, '--frontend', frontend, '--providers', providers, '--yes'], 'init --amplify … --frontend … --providers … --yes');
run(['add', 'hosting', '--yes']);
run(['publish', '--yes']);

const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
const hosting = Object.values(meta.hosting ?? {})[0];
const url = hosting?.output?.Url;
const pathUrl = hosting?.output?.PathUrl;
if (!url) {
  console.error('The demo stopped: amplify-meta.json has no hosting URL after publish.');
  process.exit(1);
}

// Browsers resolve *.localhost to 127.0.0.1 by themselves; Node does not, so connect to 127.0.0.1
// and send the site's host name.
const page = await new Promise((resolve, reject) => {
  const target = new URL(url);
  const req = request({ host: '127.0.0.1', port: target.port, path: '/', headers: { host: target.host } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('error', reject);
  req.end();
});
if (page.status !== 200 || !page.body.includes('Hello from Forte')) {
  console.error(`The demo stopped: ${url} answered ${page.status}.`);
  process.exit(1);
}
console.log(`\nThe site is live (${page.body.length} bytes of HTML checked):\n  ${url}\n  ${pathUrl ?? ''}`);
console.log(`\nThe project is in ${project}. Stop the local cloud with: node ${forte} cloud stop`);
