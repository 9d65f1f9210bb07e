#!/usr/bin/env node
// Start-up benchmarks (docs/benchmarks.md, "Start-up"). Loopback only, in a temporary FORTE_HOME.
//
// In one run, by turns (each turn measures every item once, the order rotating every turn, so a busy
// moment of a shared machine falls on all of them alike):
// - `node -e ''`: process start, the baseline;
// - the cloud's bin (`packages/cloud/dist/bin.cjs --port 0`) on a fresh data folder, from spawn to the
//   first answered `GET /_forte/health` (polled every 5 ms until the port file says where it listens);
// - `forte status` and a no-change `forte push --yes` in a project with auth and an API (one model under
//   an owner rule), with the CLI's real bin, process start included (that is what a user waits for).
// The same three again without the bundles `npm run build` makes (scripts/bundle-bins.mjs): the modules tsc
// wrote (packages/cloud/dist/run-cloud.js; the CLI's dist/run-cli.js through a two-line entry, with
// @forte/protocol's modules rather than its bundle), so one run
// shows what bundling gives. Medians of BENCH_RUNS turns (default 9); each ratio is the median over turns of
// measure / baseline of the same turn. BENCH_PROFILE=DIR: one more run of each with `--cpu-prof` writing to DIR.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const forteBin = join(root, 'packages/cli/dist/bin.js');
const cloudBin = join(root, 'packages/cloud/dist/bin.cjs');
const home = mkdtempSync(join(tmpdir(), 'forte-bench-startup-home-'));
const env = { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0' };
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const PROFILE = process.env.BENCH_PROFILE;
const results = [];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;
// The CLI from the modules tsc wrote, as dist/bin.js ran them before the bundle.
// `--conditions=forte-modules`: @forte/protocol's modules too, not its bundle (its package.json, "exports").
const cliModules = [
  '--conditions=forte-modules',
  '--input-type=module',
  '-e',
  `import { runCli } from ${JSON.stringify(join(root, 'packages/cli/dist/run-cli.js'))}; process.exitCode = await runCli(process.argv.slice(1));`,
];
const forte = (cwd, args, input, nodeArgs = [], entry = [forteBin]) => {
  const r = spawnSync(process.execPath, [...nodeArgs, ...entry, ...args], { cwd, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`forte ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const timed = (fn) => {
  const t = now();
  fn();
  return now() - t;
};
const record = (name, value, unit, target = '', note = '') => {
  results.push({ name, value, unit, target, note });
  const shown = unit === 'ratio' ? `${value.toFixed(2)}×` : `${value.toFixed(0)} ${unit}`;
  console.log(`${name}: ${shown}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
};

const SCHEMA = `type Todo @model @auth(rules: [{ allow: owner }]) {
  id: ID!
  content: String!
  done: Boolean
}
`;

/** A project with auth and an API, pushed once (so the next push has nothing to change). */
function newProject() {
  const dir = mkdtempSync(join(tmpdir(), 'forte-bench-startup-app-'));
  const frontend = JSON.stringify({
    frontend: 'javascript',
    framework: 'none',
    config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'node -e ""', StartCommand: 'node -e ""' },
  });
  forte(dir, [
    'init',
    '--amplify',
    JSON.stringify({ projectName: 'benchstart', envName: 'dev' }),
    '--frontend',
    frontend,
    '--providers',
    '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"default"}}',
    '--yes',
  ]);
  forte(dir, ['add', 'auth', '--yes']);
  const addApi = {
    version: 1,
    serviceConfiguration: { serviceName: 'AppSync', apiName: 'benchstart', transformSchema: SCHEMA, defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' } },
  };
  forte(dir, ['add', 'api', '--headless'], JSON.stringify(addApi));
  forte(dir, ['push', '--yes']);
  return dir;
}

/** Spawn to first answered health check of the cloud's bin on a fresh data folder. */
async function coldStart(nodeArgs = [], bin = cloudBin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'forte-bench-startup-cloud-'));
  const t0 = now();
  const child = spawn(process.execPath, [...nodeArgs, bin, '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let elapsed;
  try {
    // cloud.json names the URL once the cloud listens; the health check is the first request it answers.
    const runtime = join(dataDir, 'cloud.json');
    for (;;) {
      if (exited) throw new Error('the cloud exited before it answered');
      if (existsSync(runtime)) {
        let url;
        try {
          url = JSON.parse(readFileSync(runtime, 'utf8')).url;
        } catch {
          /* being written */
        }
        if (url) {
          const res = await fetch(`${url}/_forte/health`);
          await res.text();
          if (res.ok) {
            elapsed = now() - t0;
            break;
          }
        }
      }
      await sleep(5);
    }
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return elapsed;
}

let project;
try {
  project = newProject();
  forte(project, ['status']); // warm the file cache once
  const items = {
    baseline: async () => timed(() => spawnSync(process.execPath, ['-e', ''])),
    cold: () => coldStart(),
    status: async () => timed(() => forte(project, ['status'])),
    push: async () => timed(() => forte(project, ['push', '--yes'])),
    coldModules: () => coldStart(['--conditions=forte-modules'], join(root, 'packages/cloud/dist/run-cloud.js')),
    statusModules: async () => timed(() => forte(project, ['status'], undefined, [], cliModules)),
    pushModules: async () => timed(() => forte(project, ['push', '--yes'], undefined, [], cliModules)),
  };
  const names = Object.keys(items);
  const rows = Object.fromEntries(names.map((n) => [n, []]));
  for (let turn = 0; turn < RUNS; turn++) {
    const order = names.map((_, i) => names[(i + turn) % names.length]);
    for (const name of order) rows[name].push(await items[name]());
  }
  const ratio = (name) => median(rows[name].map((v, i) => v / rows.baseline[i]));
  record('node -e "" (process start baseline)', median(rows.baseline), 'ms');
  record('cloud cold start to first answered request', median(rows.cold), 'ms');
  record('forte status (auth + api)', median(rows.status), 'ms');
  record('forte push --yes, no changes (auth + api)', median(rows.push), 'ms');
  record('cloud cold start / process start', ratio('cold'), 'ratio', '≤ 3');
  record('forte status / process start', ratio('status'), 'ratio', '≤ 2.5');
  record('forte push --yes, no changes / process start', ratio('push'), 'ratio', '≤ 3');
  record('without the bundles: cloud cold start / process start', ratio('coldModules'), 'ratio');
  record('without the bundles: forte status / process start', ratio('statusModules'), 'ratio');
  record('without the bundles: forte push --yes, no changes / process start', ratio('pushModules'), 'ratio');
  console.log(`(${RUNS} turns, medians; load average ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0]})`);

  if (PROFILE) {
    mkdirSync(PROFILE, { recursive: true });
    const prof = ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`];
    await coldStart(prof);
    forte(project, ['status'], undefined, prof);
    forte(project, ['push', '--yes'], undefined, prof);
    console.log(`CPU profiles in ${PROFILE}`);
  }
} finally {
  spawnSync(process.execPath, [forteBin, 'cloud', 'stop'], { env, stdio: 'ignore' });
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/startup-latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  for (const dir of [home, project]) if (dir) rmSync(dir, { recursive: true, force: true });
}
