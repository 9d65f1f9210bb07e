#!/usr/bin/env node
// GraphQL API benchmarks (docs/benchmarks.md, "GraphQL API"). Loopback only, temporary data folders.
//
// Over HTTP, in one run, with the same data (10,000 to-dos under an owner rule, 20 of them the caller's)
// and the same client (wrk, one thread, BENCH_CONNECTIONS connections, a Lua script posting the query):
// - getTodo (one to-do by id) and todosByOwner (the caller's 20, newest first, through an index);
// - against the cloud (its own process), against a bare node:http server answering the same JSON from
//   the same SQLite SELECTs after a jose JWT verify (bench/graphql-bare.mjs: the limit), and against the
//   AppSync simulator of `amplify mock` with VTL owner checks over an in-memory Lambda data source
//   (bench/graphql-simulator.mjs: the peer).
// Where `taskset` exists and the machine has at least two cores (BENCH_PIN=0 turns it off), every server
// under test runs on core 0 and wrk on core 1, so the load generator never takes CPU from the server it
// measures: unpinned on two cores, wrk, the server's main thread and its GC and log threads shared both,
// and how the scheduler split them decided the tail more than the server did (docs/benchmarks.md).
// Before any timing, each server's answers are checked: the caller's to-do and list come back whole, a
// to-do of another user is refused. Medians of BENCH_RUNS runs (default 3); ratios are medians of per-run ratios.
//
// The simulator is installed outside the repository, in $FORTE_PEERS/appsync (default
// /tmp/forte-peers/appsync), on first use: `npm install @aws-amplify/amplify-appsync-simulator@2.16.20`
// with `"overrides": {"graphql": "15.11.0"}` (without it two graphql copies meet and it fails).
// BENCH_PEERS=0 skips it.
// BENCH_DATABASE=postgres runs the cloud and the bare server on PostgreSQL instead (the scale-out issue's
// figures: get and list ≥ 0.5), without the simulator.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './bench-kit.mjs';
import { GET_TODO, LIST_TODOS, checkAnswers, cpuMsOf, deployBenchApi, graphql, median, signIn, startCloud } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TODOS = Number(process.env.BENCH_TODOS ?? 10_000);
const OWN = 20;
// BENCH_OPS=list (or get): measure one of the two requests only, e.g. to profile it with BENCH_PROFILE.
const OPS = process.env.BENCH_OPS ? process.env.BENCH_OPS.split(',') : ['get', 'list'];
const PEERS = process.env.FORTE_PEERS ?? '/tmp/forte-peers';
const SIMULATOR_VERSION = '2.16.20';
const PIN = process.env.BENCH_PIN !== '0' && availableParallelism() >= 2 && !spawnSync('taskset', ['-V']).error;
/** Puts every thread of `pid` on core 0 (threads it starts later inherit it). */
const pinServer = (pid) => {
  if (PIN && spawnSync('taskset', ['-a', '-cp', '0', String(pid)], { stdio: 'ignore' }).status !== 0) throw new Error(`taskset could not pin ${pid}`);
};

/** Installs the AppSync simulator in `<peers>/appsync` (outside the repository, never a dependency of it). */
function installSimulator() {
  const dir = join(PEERS, 'appsync');
  if (existsSync(join(dir, 'node_modules/@aws-amplify/amplify-appsync-simulator/package.json'))) return dir;
  console.log(`installing the AppSync simulator ${SIMULATOR_VERSION} in ${dir} (once)`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'forte-peer-appsync',
        private: true,
        dependencies: { '@aws-amplify/amplify-appsync-simulator': SIMULATOR_VERSION },
        overrides: { graphql: '15.11.0' },
      },
      null,
      2,
    ),
  );
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install in ${dir} exited ${r.status}`);
  return dir;
}

/** Starts `node <args>` (cwd: the repository) and waits for its first line of output. */
async function startChild(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code} before it was ready`)));
  });
  return { line, pid: child.pid, stop: () => child.kill() };
}

function wrk(url, body, token, seconds = SECONDS) {
  const script = join(work, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify(body))}\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "${token}"\n`,
  );
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', script, url];
  const r = PIN ? spawnSync('taskset', ['-c', '1', 'wrk', ...args], { encoding: 'utf8' }) : spawnSync('wrk', args, { encoding: 'utf8' });
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout)?.slice(1).map(Number) ?? [0, 0, 0, 0];
  if (r.status !== 0 || /Non-2xx/.test(r.stdout) || socketErrors.some((n) => n > 0)) throw new Error(`wrk against ${url} saw errors:\n${r.stdout}${r.stderr}`);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  const p99Ms = p99 ? Number(p99[1]) * { us: 0.001, ms: 1, s: 1000 }[p99[2]] : NaN;
  return { perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0), requests, p99Ms };
}

/** wrk against a server: requests per second, p99 and the server's CPU microseconds per request. */
function measure(server, url, body, token) {
  const cpu0 = cpuMsOf(server.pid);
  const r = wrk(url, body, token);
  return { ...r, cpuUs: ((cpuMsOf(server.pid) - cpu0) * 1000) / r.requests };
}

// BENCH_DATABASE=postgres: the cloud on PostgreSQL (FORTE_BENCH_POSTGRES_URL, default the machine's local
// server; a fresh schema, dropped at the end), the bare server reading the same tables through pg; no peers.
const POSTGRES = process.env.BENCH_DATABASE === 'postgres';
if (POSTGRES) {
  const url = new URL(process.env.FORTE_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test');
  url.searchParams.set('schema', `forte_bench_${process.pid}`);
  process.env.FORTE_DATABASE = url.toString();
}
const work = mkdtempSync(join(tmpdir(), 'forte-bench-graphql-'));
const results = [];
const record = (name, value, unit, target, note = '') => {
  results.push({ name, value, unit, target, note });
  const shown = unit === 'ratio' ? value.toFixed(2) : `${value.toFixed(unit === 'ms' ? 1 : 0)} ${unit}`;
  console.log(`${name}: ${shown}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
};
const stops = [];
try {
  if (spawnSync('wrk', ['--version']).error) throw new Error('this benchmark needs wrk (apt-get install -y wrk)');
  const dataDir = join(work, 'cloud');
  const t0 = process.hrtime.bigint();
  const { apiId, poolId, clientId, tableName } = await deployBenchApi({ dataDir, users: 2, ownTodos: OWN, otherTodos: TODOS - 2 * OWN });
  record(`setup: API, 2 users, ${TODOS} to-dos`, Number(process.hrtime.bigint() - t0) / 1e6, 'ms');

  // BENCH_PROFILE=DIR: the cloud under load writes a V8 CPU profile to DIR when it stops, the bare server to DIR/bare.
  const cloud = await startCloud(dataDir, process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
  stops.push(() => cloud.stop());
  pinServer(cloud.pid);
  console.log(PIN ? 'servers on core 0, wrk on core 1 (BENCH_PIN=0: unpinned)' : 'unpinned (no taskset, one core, or BENCH_PIN=0)');
  const cloudUrl = `${cloud.url}/graphql/${apiId}`;
  const caller = await signIn(cloud.url, clientId, 'user0000');
  const other = await signIn(cloud.url, clientId, 'user0001');
  const first = await graphql(cloudUrl, caller.token, LIST_TODOS, { owner: caller.owner, limit: OWN });
  const ownTodo = first.json.data.todosByOwner.items[7];
  const otherTodo = (await graphql(cloudUrl, other.token, LIST_TODOS, { owner: other.owner, limit: 1 })).json.data.todosByOwner.items[0];
  const fixtures = { caller, other, ownTodo, otherTodo };
  const reference = await checkAnswers('cloud', cloudUrl, fixtures, OWN);
  const { connection: _c, 'keep-alive': _k, date: _d, 'content-length': _l, ...answerHeaders } = reference.own.headers;

  const bare = await startChild([
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}/bare`] : []),
    'bench/graphql-bare.mjs',
    POSTGRES ? process.env.FORTE_DATABASE : join(dataDir, 'forte.db'),
    tableName,
    `${cloud.url}/${poolId}/.well-known/jwks.json`,
    JSON.stringify(answerHeaders),
  ]);
  stops.push(bare.stop);
  pinServer(bare.pid);
  const bareUrl = `http://127.0.0.1:${bare.line}/graphql`;
  const bareAnswers = await checkAnswers('bare', bareUrl, fixtures, OWN);
  assert.deepEqual(bareAnswers.list.json.data.todosByOwner.items, reference.list.json.data.todosByOwner.items, 'bare: the same list as the cloud');
  // The cloud seals its next tokens (AES-256-GCM), the bare server's is the key as JSON: both must say more follow.
  assert.equal(
    Boolean(bareAnswers.list.json.data.todosByOwner.nextToken),
    Boolean(reference.list.json.data.todosByOwner.nextToken),
    'bare: a next token where the cloud has one',
  );

  let sim;
  if (process.env.BENCH_PEERS !== '0' && !POSTGRES) {
    const peerDir = installSimulator();
    const [port, wsPort] = [await freePort(), await freePort()];
    sim = await startChild(['bench/graphql-simulator.mjs', peerDir, join(dataDir, 'forte.db'), tableName, caller.issuer, String(port), String(wsPort)]);
    stops.push(sim.stop);
    pinServer(sim.pid);
    sim.url = `http://127.0.0.1:${port}/graphql`;
    const simAnswers = await checkAnswers('simulator', sim.url, fixtures, OWN);
    assert.deepEqual(simAnswers.list.json.data.todosByOwner.items, reference.list.json.data.todosByOwner.items, 'simulator: the same list as the cloud');
  }
  console.log(`answers checked; get answers ${reference.own.text.length} bytes, list ${reference.list.text.length} bytes`);

  const bodies = {
    get: { query: GET_TODO, variables: { id: ownTodo.id } },
    list: { query: LIST_TODOS, variables: { owner: caller.owner, limit: OWN } },
  };
  // Warm-up (not counted): every server answers both requests for 2 s first.
  for (const target of [[bare, bareUrl], [cloud, cloudUrl], ...(sim ? [[sim, sim.url]] : [])]) {
    for (const op of OPS) wrk(target[1], bodies[op], caller.token, 2);
  }
  const rows = {};
  const push = (key, value) => (rows[key] ??= []).push(value);
  for (let run = 0; run < RUNS; run++) {
    const line = [];
    for (const op of OPS) {
      const b = measure(bare, bareUrl, bodies[op], caller.token);
      const c = measure(cloud, cloudUrl, bodies[op], caller.token);
      push(`${op}.bare`, b);
      push(`${op}.cloud`, c);
      push(`${op}.ratio`, c.perSecond / b.perSecond);
      push(`${op}.cpuRatio`, b.cpuUs / c.cpuUs);
      push(`${op}.p99Ratio`, c.p99Ms / b.p99Ms);
      line.push(`${op} cloud ${c.perSecond.toFixed(0)} / bare ${b.perSecond.toFixed(0)} req/s`);
      if (sim) {
        const s = measure(sim, sim.url, bodies[op], caller.token);
        push(`${op}.sim`, s);
        push(`${op}.simRatio`, c.perSecond / s.perSecond);
        push(`${op}.simCpuRatio`, s.cpuUs / c.cpuUs);
        line[line.length - 1] += ` / simulator ${s.perSecond.toFixed(0)} req/s`;
      }
    }
    console.log(`run ${run + 1}: ${line.join('; ')}`);
  }
  // The answers after the load are still the right ones.
  await checkAnswers('cloud after the load', cloudUrl, fixtures, OWN);

  const note = `(wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, median of ${RUNS}${PIN ? ', servers on core 0, wrk on core 1' : ', unpinned'})`;
  for (const [op, label] of [
    ['get', 'getTodo'],
    ['list', `todosByOwner (${OWN} items)`],
  ].filter(([op]) => OPS.includes(op))) {
    const stat = (key, field) => median(rows[key].map((r) => r[field]));
    record(
      `${label}: bare node:http + ${POSTGRES ? 'PostgreSQL (pg)' : 'SQLite'} + jose (req/s)`,
      stat(`${op}.bare`, 'perSecond'),
      'req/s',
      '',
      `p99 ${stat(`${op}.bare`, 'p99Ms').toFixed(1)} ms, ${stat(`${op}.bare`, 'cpuUs').toFixed(0)} CPU µs/req`,
    );
    record(
      `${label}: cloud (req/s)`,
      stat(`${op}.cloud`, 'perSecond'),
      'req/s',
      '',
      `p99 ${stat(`${op}.cloud`, 'p99Ms').toFixed(1)} ms, ${stat(`${op}.cloud`, 'cpuUs').toFixed(0)} CPU µs/req`,
    );
    if (sim)
      record(
        `${label}: AppSync simulator (req/s)`,
        stat(`${op}.sim`, 'perSecond'),
        'req/s',
        '',
        `p99 ${stat(`${op}.sim`, 'p99Ms').toFixed(1)} ms, ${stat(`${op}.sim`, 'cpuUs').toFixed(0)} CPU µs/req`,
      );
    // The list's targets are the hardening issue's: throughput ≥ 0.7 of the bare server's, p99 ≤ 3× its p99.
    // On PostgreSQL the scale-out issue's: get and list ≥ 0.5 of a bare node:http + pg server.
    record(`${label}: cloud / bare`, median(rows[`${op}.ratio`]), 'ratio', op === 'list' && !POSTGRES ? '≥ 0.70' : '≥ 0.50', note);
    record(`${label}: cloud p99 / bare p99`, median(rows[`${op}.p99Ratio`]), 'ratio', op === 'list' && !POSTGRES ? '≤ 3' : '', note);
    record(`${label}: bare CPU / cloud CPU per request`, median(rows[`${op}.cpuRatio`]), 'ratio', '', '(less sensitive than req/s to what else runs)');
    if (sim) record(`${label}: cloud / simulator`, median(rows[`${op}.simRatio`]), 'ratio', '≥ 3', note);
    if (sim) record(`${label}: simulator CPU / cloud CPU per request`, median(rows[`${op}.simCpuRatio`]), 'ratio');
  }
} finally {
  for (const stop of stops.reverse()) await stop();
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, `bench/results/graphql${POSTGRES ? '-postgres' : ''}-latest.json`),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2),
  );
  rmSync(work, { recursive: true, force: true });
  if (POSTGRES) {
    const { default: pg } = await import('pg');
    const url = new URL(process.env.FORTE_DATABASE);
    const client = new pg.Client({ connectionString: process.env.FORTE_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${url.searchParams.get('schema')} CASCADE`);
    await client.end();
  }
}
