#!/usr/bin/env node
// Foundation benchmarks (docs/benchmarks.md). Runs on loopback only, in a temporary FORTE_HOME.
// Each timing is the median of several runs, printed beside `node -e ''` (process start) measured in the
// same run. Static throughput needs `wrk` (Debian package `wrk`).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { cloudNodeArgs } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const forteBin = join(root, 'packages/cli/dist/bin.js');
const cloudBin = join(root, 'packages/cloud/dist/bin.cjs');
const home = mkdtempSync(join(tmpdir(), 'forte-bench-home-'));
const env = { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0' };
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const results = [];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${n.toFixed(0)} ms`;
const time = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const forte = (cwd, args, opts = {}) => {
  const r = spawnSync(process.execPath, [forteBin, ...args], { cwd, env, encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`forte ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const record = (name, value, unit, target, note = '') => {
  results.push({ name, value, unit, target, note });
  console.log(`${name}: ${unit === 'ms' ? ms(value) : value.toFixed(2)}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
};

function newProject(name, siteFiles) {
  const dir = mkdtempSync(join(tmpdir(), `forte-bench-${name}-`));
  cpSync(join(root, 'examples/hosting-site'), dir, { recursive: true });
  if (siteFiles) {
    mkdirSync(join(dir, 'dist/assets'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><title>bench</title><h1>bench</h1>');
    for (let i = 1; i < siteFiles; i++) {
      const size = i % 10 === 0 ? 48_000 : 1_000 + ((i * 97) % 12_000);
      const ext = i % 3 === 0 ? 'css' : i % 10 === 0 ? 'png' : 'js';
      writeFileSync(join(dir, `dist/assets/file${i}.${randomBytes(4).toString('hex')}.${ext}`), ext === 'png' ? randomBytes(size) : 'x'.repeat(size));
    }
  }
  const frontend = JSON.stringify({
    frontend: 'javascript',
    framework: 'none',
    config: {
      SourceDir: 'src',
      DistributionDir: 'dist',
      BuildCommand: siteFiles ? 'node -e ""' : 'npm run-script build',
      StartCommand: 'npm run-script start',
    },
  });
  forte(dir, [
    'init',
    '--amplify',
    JSON.stringify({ projectName: name, envName: 'dev' }),
    '--frontend',
    frontend,
    '--providers',
    '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"default"}}',
    '--yes',
  ]);
  return dir;
}

try {
  // Baseline: process start.
  const baseline = median(Array.from({ length: RUNS }, () => time(() => spawnSync(process.execPath, ['-e', '']))));
  record('node -e "" (process start baseline)', baseline, 'ms');

  // Cloud cold start: spawn to first answered request, fresh data dir each time.
  const coldStarts = [];
  for (let i = 0; i < 5; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'forte-bench-cloud-'));
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [...cloudNodeArgs(), cloudBin, '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`cloud exited ${code}`)));
    });
    const res = await fetch(`${url}/_forte/health`);
    await res.text();
    coldStarts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  record('cloud cold start to first answered request', median(coldStarts), 'ms', '< 500 ms');

  // status and no-change push on a project with hosting.
  const project = newProject('benchapp');
  // A 2.5 KB asset, like the static-file rows of docs/benchmarks.md's peers.
  writeFileSync(join(project, 'src/bench.txt'), 'Forte static file benchmark. '.repeat(90).slice(0, 2500));
  forte(project, ['add', 'hosting', '--yes']);
  forte(project, ['publish', '--yes']);
  const status = median(Array.from({ length: RUNS }, () => time(() => forte(project, ['status']))));
  record('forte status', status, 'ms', '< 400 ms', `(${(status / baseline).toFixed(1)}× process start)`);
  const push = median(Array.from({ length: RUNS }, () => time(() => forte(project, ['push', '--yes']))));
  record('forte push --yes, no changes', push, 'ms', '< 600 ms', `(${(push / baseline).toFixed(1)}× process start)`);

  // First publish of a 200-file site (includes the push that creates the site).
  const publishes = [];
  for (let i = 0; i < 3; i++) {
    const site = newProject(`benchsite${i}`, 200);
    forte(site, ['add', 'hosting', '--yes']);
    publishes.push(time(() => forte(site, ['publish', '--yes'])));
  }
  record('first forte publish --yes of a 200-file site', median(publishes), 'ms', '< 2000 ms');

  // Static throughput: hosting service vs a bare node:http server serving the same bytes from memory.
  if (spawnSync('wrk', ['--version']).error) {
    console.log('static throughput: skipped (install wrk: apt-get install -y wrk)');
  } else {
    const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
    const siteUrl = new URL(Object.values(meta.hosting)[0].output.Url);
    // examples/hosting-site/build.mjs names assets <name>.<first 10 hex of sha256>.<ext>.
    const assetPath = `/assets/bench.${createHash('sha256')
      .update(readFileSync(join(project, 'src/bench.txt')))
      .digest('hex')
      .slice(0, 10)}.txt`;
    const served = await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: siteUrl.port, path: assetPath, headers: { host: siteUrl.host } }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    const body = served.body;
    // Bare servers in their own process (this one blocks in spawnSync while wrk runs), serving the asset
    // from memory: 'same' sends exactly the response the site sends (its headers too), 'minimal' only
    // content-type, content-length and etag.
    const { connection: _c, 'keep-alive': _k, date: _d, ...siteHeaders } = served.headers;
    const startBare = async (headers) => {
      const child = spawn(
        process.execPath,
        [
          '-e',
          `
        const body = Buffer.from(process.argv[1], 'base64');
        const headers = JSON.parse(process.argv[2]);
        require('node:http').createServer((_req, res) => { res.writeHead(200, headers); res.end(body); })
          .listen(0, '127.0.0.1', function () { console.log(this.address().port); });
      `,
          body.toString('base64'),
          JSON.stringify(headers),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
      return { child, port };
    };
    const wrk = (args) => {
      const out = spawnSync('wrk', ['-t1', '-c50', '-d8s', ...args], { encoding: 'utf8' }).stdout;
      return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
    };
    const same = await startBare(siteHeaders);
    const sameRps = wrk([`http://127.0.0.1:${same.port}${assetPath}`]);
    same.child.kill();
    const minimal = await startBare({ 'content-type': siteHeaders['content-type'], 'content-length': body.length, etag: '"x"' });
    const minimalRps = wrk([`http://127.0.0.1:${minimal.port}${assetPath}`]);
    minimal.child.kill();
    const siteRps = wrk(['-H', `Host: ${siteUrl.host}`, `http://127.0.0.1:${siteUrl.port}${assetPath}`]);
    record('bare node:http, the same response from memory (req/s)', sameRps, 'req/s');
    record('bare node:http, 3 headers only (req/s)', minimalRps, 'req/s');
    record('hosting service (req/s)', siteRps, 'req/s');
    record(
      'hosting / bare, same response',
      siteRps / sameRps,
      'ratio',
      '≥ 0.60',
      `(${body.length}-byte asset, ${Object.keys(siteHeaders).length} headers, wrk -t1 -c50 -d8s)`,
    );
    record('hosting / bare, 3 headers only', siteRps / minimalRps, 'ratio');
  }
} finally {
  spawnSync(process.execPath, [forteBin, 'cloud', 'stop'], { env, stdio: 'ignore' });
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  rmSync(home, { recursive: true, force: true });
}
