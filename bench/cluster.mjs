#!/usr/bin/env node
// Cluster benchmarks (docs/benchmarks.md, "Cluster"). Loopback only: the machine's PostgreSQL (a fresh schema,
// dropped at the end) and NATS, a temporary data folder shared by the instances (their blobs and keys).
//
// Two Forte Cloud instances, A and B (`forte-cloud` processes on one database and one NATS bus, started with
// the balancer's URL as their public URL), behind a round-robin balancer: HAProxy when installed, with two
// frontends configured as deploy/haproxy.cfg's (health checks on /_forte/ready), one over A only and one over
// A and B; else the round-robin proxy of @forte/testing (bench/balancer-node.mjs) in a process of its own,
// again one over A and one over A and B. The one-instance baseline goes through the same balancer as the
// two-instance figure, so the balancer's cost is in both.
//
// 1. Throughput: getTodo and todosByOwner (20 items) with a user pool access token (the API and data of
//    bench/graphql.mjs: BENCH_TODOS to-dos, 20 the caller's), wrk (one thread, BENCH_CONNECTIONS, default
//    50, for BENCH_SECONDS, default 10) through the one-instance frontend and through the two-instance one,
//    alternating in each of BENCH_RUNS rounds (default 3, 0 skips; the order flips every round), after a 5 s warm-up
//    of each instance and each frontend. Answers are checked through both before any timing. Figures:
//    req/s, p50/p99, the instances' and the balancer's CPU per request, how busy the machine's cores were,
//    B's share of the instances' CPU (about 0 through the one-instance frontend), and two / one (median of
//    per-round ratios; target ≥ 1.00).
// 2. Realtime fan-out (the harness of bench/realtime.mjs, bench/realtime-fan-out.mjs): BENCH_SUBSCRIBERS
//    (default 1,000) raw `ws` subscribers over 5 users, createTodo at BENCH_RATE (10) per second for
//    BENCH_REALTIME_SECONDS (30) through A, in three configurations, BENCH_REALTIME_ROUNDS (1; 0 skips) times each:
//    - one instance, no bus: a third instance S on the same database without --bus, every subscriber and
//      mutation on it (the in-process bus: no hop at all);
//    - one instance of the cluster: every subscriber on A (each event goes to NATS and back to A);
//    - two instances: subscribers split between A and B, mutations on A (half of the deliveries cross to B).
//    Subscribers connect to the instances directly (the balancer would only decide which instance each lands
//    on). p99 target < 50 ms for the two instances (also shown: from the mutation's answer, without the
//    mutation's own time). The run fails on any leak.
//
// Nothing is pinned: two instances need both cores, and the balancer, PostgreSQL, NATS and the load generator
// share them too (on a 2-core machine the figures say whether a second instance costs throughput, not how it
// scales; docs/benchmarks.md says what a machine to show scaling needs).
// BENCH_BALANCER=node uses the Node proxy even where HAProxy is installed. BENCH_PROFILE=DIR: A and B write
// V8 CPU profiles to DIR when they stop. FORTE_BENCH_POSTGRES_URL and FORTE_BENCH_NATS_URL name other servers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GET_TODO, LIST_TODOS, checkAnswers, cpuMsOf, deployBenchApi, graphql, median, signIn, startCloud } from './graphql-deploy.mjs';
import { describeFanOut, fanOut } from './realtime-fan-out.mjs';

// bench-kit pins wrk to core 1 unless BENCH_PIN=0, read when it loads: here nothing is pinned.
process.env.BENCH_PIN = '0';
const { createResults, freePort, load, profileArgs, requireWrk, wrk } = await import('./bench-kit.mjs');

const root = new URL('..', import.meta.url).pathname;
const { checkNats, checkPostgres, dropPostgresSchema } = await import(join(root, 'packages/cloud/dist/index.js'));

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TODOS = Number(process.env.BENCH_TODOS ?? 10_000);
const OWN = 20;
const USERS = 5;
const OPS = process.env.BENCH_OPS ? process.env.BENCH_OPS.split(',') : ['get', 'list'];
const REALTIME = {
  subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 1000),
  rate: Number(process.env.BENCH_RATE ?? 10),
  seconds: Number(process.env.BENCH_REALTIME_SECONDS ?? 30),
};
const REALTIME_ROUNDS = Number(process.env.BENCH_REALTIME_ROUNDS ?? 1);
const POSTGRES = process.env.FORTE_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const NATS = process.env.FORTE_BENCH_NATS_URL || 'nats://127.0.0.1:4222';
const HAPROXY = process.env.BENCH_BALANCER !== 'node' && !spawnSync('haproxy', ['-v']).error;

/** Busy and total jiffies of all cores so far (/proc/stat), to say how busy the machine was during a run. */
function machineTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Resolves with the first stdout line of `child` that `pattern` matches. */
const lineOf = (child, pattern, what) =>
  new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = pattern.exec(out);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve(m);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}: ${out}`)));
  });

/**
 * HAProxy in the foreground with two frontends on ports chosen now: `one` over A, `two` over A and B, each as
 * deploy/haproxy.cfg's backend (round robin, health checks on /_forte/ready). Started by `setTargets`.
 */
async function haproxyBalancer(work) {
  const [onePort, twoPort] = [await freePort(), await freePort()];
  let child;
  return {
    kind: 'HAProxy',
    oneUrl: `http://127.0.0.1:${onePort}`,
    twoUrl: `http://127.0.0.1:${twoPort}`,
    pid: () => child.pid,
    async setTargets(a, b) {
      const server = (name, url) => `  server ${name} ${new URL(url).host} check`;
      const backend = (name, servers) =>
        [
          `backend ${name}`,
          '  balance roundrobin',
          // A connection to an instance serves one client connection only: shared, it sat idle in
          // HAProxy's pool while the other frontend was measured, the instance closed it (node's 5 s
          // keep-alive) as HAProxy reused it, and HAProxy then closed wrk's connection (read errors).
          '  http-reuse never',
          '  option httpchk GET /_forte/ready',
          '  http-check expect status 200',
          // deploy/haproxy.cfg's checks, but a check may take 10 s (its timeout there is `inter`, 2 s) and
          // an instance is out after 3 failed ones (1 there): /_forte/ready waits in line with the requests
          // (the request turns, then the database pool for its SELECT 1), and on a saturated, shared 2-core
          // machine it took over 2 s, so with deploy's settings the balancer took both instances out and
          // answered 503 (docs/benchmarks.md, "Cluster").
          '  timeout check 10s',
          '  default-server inter 2s fall 3 rise 2',
          ...servers,
        ].join('\n');
      const config = join(work, 'haproxy.cfg');
      writeFileSync(
        config,
        [
          // Only failed requests are logged (to this process's stderr), so that a wrk error can be explained.
          'global\n  nbthread 1\n  maxconn 4096\n  log stderr format short local0',
          'defaults\n  mode http\n  log global\n  option httplog\n  option dontlog-normal\n  timeout connect 5s\n  timeout client 1h\n  timeout server 1h\n  timeout tunnel 1h',
          `frontend one\n  bind 127.0.0.1:${onePort}\n  default_backend one`,
          `frontend two\n  bind 127.0.0.1:${twoPort}\n  default_backend two`,
          backend('one', [server('a', a)]),
          backend('two', [server('a', a), server('b', b)]),
        ].join('\n\n') + '\n',
      );
      child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.once('exit', (code) => code && console.error(`haproxy exited ${code}`));
    },
    stop: () => child?.kill(),
  };
}

/** The round-robin proxies of @forte/testing in their own process (bench/balancer-node.mjs). */
async function nodeBalancer() {
  const child = spawn(process.execPath, [join(root, 'bench/balancer-node.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [, oneUrl, twoUrl] = await lineOf(child, /^(\S+) (\S+)$/m, 'bench/balancer-node.mjs');
  return {
    kind: 'Node round-robin proxy (@forte/testing)',
    oneUrl,
    twoUrl,
    pid: () => child.pid,
    async setTargets(a, b) {
      const set = lineOf(child, /targets set/, 'bench/balancer-node.mjs');
      child.stdin.write(`${a} ${b}\n`);
      await set;
    },
    stop: () => child.kill(),
  };
}

/** Waits until `url` answers /_forte/ready with 200 `times` times in a row (through a balancer: every instance). */
async function ready(url, times) {
  for (let ok = 0, tries = 0; ok < times; tries++) {
    if (tries > 300) throw new Error(`${url}/_forte/ready never answered 200 ${times} times in a row`);
    const status = await fetch(`${url}/_forte/ready`).then(
      (r) => r.status,
      () => 0,
    );
    ok = status === 200 ? ok + 1 : 0;
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
}

const results = createResults('cluster');
const work = mkdtempSync(join(tmpdir(), 'forte-bench-cluster-'));
const database = new URL(POSTGRES);
database.searchParams.set('schema', `forte_bench_cluster_${process.pid}`);
const stops = [];
try {
  requireWrk();
  for (const [name, found] of [
    ['PostgreSQL', await checkPostgres(POSTGRES)],
    ['NATS', await checkNats(NATS)],
  ])
    if (!found.ok) throw new Error(`this benchmark needs ${name}: ${found.reason}`);
  // deployBenchApi (in this process) and the instances read the database from FORTE_DATABASE.
  process.env.FORTE_DATABASE = database.toString();
  const dataDir = join(work, 'cloud');
  const t0 = process.hrtime.bigint();
  const { apiId, clientId } = await deployBenchApi({ dataDir, users: USERS, ownTodos: OWN, otherTodos: TODOS - USERS * OWN });
  results.record(`setup: API, ${USERS} users, ${TODOS} to-dos on PostgreSQL`, Number(process.hrtime.bigint() - t0) / 1e6, 'ms');

  const balancer = HAPROXY ? await haproxyBalancer(work) : await nodeBalancer();
  stops.push(() => balancer.stop());
  // Each instance has a data folder of its own (one cloud per folder), the set-up's blobs (a store they
  // share, as a cluster's S3 bucket) and its secret key.
  const instance = { FORTE_BUS: NATS, FORTE_PUBLIC_URL: balancer.twoUrl, FORTE_SECRET_KEY: readFileSync(join(dataDir, 'secret.key'), 'utf8').trim() };
  const start = async (name, nodeArgs, env) => {
    const dir = join(work, name);
    mkdirSync(dir);
    symlinkSync(join(dataDir, 'blobs'), join(dir, 'blobs'));
    const cloud = await startCloud(dir, nodeArgs, env);
    stops.push(() => cloud.stop());
    return cloud;
  };
  const a = await start('a', profileArgs(), instance);
  const b = await start('b', profileArgs(), instance);
  // S: the same database without a bus (a cloud that runs alone), the realtime fan-out's baseline.
  const s = await start('s', [], { ...instance, FORTE_BUS: '' });
  await balancer.setTargets(a.url, b.url);
  await ready(balancer.oneUrl, 2);
  await ready(balancer.twoUrl, 4);
  console.log(`balancer: ${balancer.kind}; instances A ${a.url}, B ${b.url}, S (no bus) ${s.url}; load ${load()}`);

  const path = `/graphql/${apiId}`;
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await signIn(balancer.twoUrl, clientId, `user${String(i).padStart(4, '0')}`));
  const [caller, other] = users;
  // (URLs in variables: prettier formats a template literal passed to a function named graphql as GraphQL.)
  const [viaA, viaB] = [a, b].map((cloud) => cloud.url + path);
  const ownTodo = (await graphql(viaA, caller.token, LIST_TODOS, { owner: caller.owner, limit: OWN })).json.data.todosByOwner.items[7];
  const otherTodo = (await graphql(viaB, other.token, LIST_TODOS, { owner: other.owner, limit: 1 })).json.data.todosByOwner.items[0];
  const fixtures = { caller, other, ownTodo, otherTodo };
  // Through each frontend, twice, so that with round robin both instances answer through the second.
  for (const url of [balancer.oneUrl, balancer.oneUrl, balancer.twoUrl, balancer.twoUrl]) await checkAnswers(url, `${url}${path}`, fixtures, OWN);

  const bodies = {
    get: { query: GET_TODO, variables: { id: ownTodo.id } },
    list: { query: LIST_TODOS, variables: { owner: caller.owner, limit: OWN } },
  };
  const request = (url, op) => ({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: caller.token },
    body: JSON.stringify(bodies[op]),
  });
  /** wrk through one frontend, with the CPU the instances, B alone and the balancer used per request. */
  const measure = (url, op, seconds = SECONDS) => {
    const [a0, b0, lb0, m0] = [cpuMsOf(a.pid), cpuMsOf(b.pid), cpuMsOf(balancer.pid()), machineTicks()];
    const r = wrk(request(url, op), CONNECTIONS, seconds);
    const [aMs, bMs, lbMs, m1] = [cpuMsOf(a.pid) - a0, cpuMsOf(b.pid) - b0, cpuMsOf(balancer.pid()) - lb0, machineTicks()];
    return {
      ...r,
      instancesCpuUs: ((aMs + bMs) * 1000) / r.requests,
      balancerCpuUs: (lbMs * 1000) / r.requests,
      bShare: bMs / (aMs + bMs),
      machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
    };
  };
  // Warm-up (not counted): each instance, directly, then each frontend, answers each request for 5 s. B serves
  // only in the two-instance rounds (a quarter of A's requests): without its own warm-up its code is the
  // less optimized one in the first rounds, which costs the two-instance figure alone.
  for (const op of RUNS > 0 ? OPS : []) for (const url of [a.url, b.url, balancer.oneUrl, balancer.twoUrl]) measure(url, op, 5);
  const rows = {};
  const push = (key, value) => (rows[key] ??= []).push(value);
  for (let run = 0; run < RUNS; run++) {
    const line = [];
    for (const op of OPS) {
      const order = run % 2 === 0 ? ['one', 'two'] : ['two', 'one'];
      const got = {};
      for (const mode of order) got[mode] = measure(mode === 'one' ? balancer.oneUrl : balancer.twoUrl, op);
      push(`${op}.one`, got.one);
      push(`${op}.two`, got.two);
      push(`${op}.ratio`, got.two.perSecond / got.one.perSecond);
      line.push(`${op} two ${got.two.perSecond.toFixed(0)} / one ${got.one.perSecond.toFixed(0)} req/s`);
    }
    console.log(`round ${run + 1}: ${line.join('; ')}; load ${load()}`);
  }
  for (const url of [balancer.twoUrl, balancer.twoUrl]) await checkAnswers(`${url} after the load`, `${url}${path}`, fixtures, OWN);

  const note = `(through ${HAPROXY ? 'HAProxy' : 'the Node proxy'}, wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, median of ${RUNS} alternating rounds, unpinned)`;
  for (const [op, label] of [
    ['get', 'getTodo'],
    ['list', `todosByOwner (${OWN} items)`],
  ].filter(([op]) => RUNS > 0 && OPS.includes(op))) {
    for (const [mode, name] of [
      ['one', 'one instance'],
      ['two', 'two instances'],
    ]) {
      const stat = (field) => median(rows[`${op}.${mode}`].map((r) => r[field]));
      results.record(
        `${label}: ${name} (req/s)`,
        stat('perSecond'),
        'req/s',
        '',
        `p50 ${stat('p50Ms').toFixed(1)} ms, p99 ${stat('p99Ms').toFixed(1)} ms; CPU µs/req: instances ${stat('instancesCpuUs').toFixed(0)}, ` +
          `balancer ${stat('balancerCpuUs').toFixed(0)}; B's share of the instances' CPU ${(100 * stat('bShare')).toFixed(0)}%; cores busy ${(100 * stat('machineBusy')).toFixed(0)}%`,
      );
    }
    results.record(`${label}: two instances / one`, median(rows[`${op}.ratio`]), 'ratio', '≥ 1.00', note);
  }

  const ws = (cloud) => `${cloud.url.replace(/^http/, 'ws')}${path}/realtime`;
  const host = new URL(balancer.twoUrl).host;
  const configurations = [
    { name: 'one instance, no bus', httpUrl: `${s.url}${path}`, wsUrls: [ws(s)], pids: [s.pid] },
    { name: 'one instance of the cluster (NATS)', httpUrl: `${a.url}${path}`, wsUrls: [ws(a)], pids: [a.pid, b.pid] },
    { name: 'two instances (NATS)', httpUrl: `${a.url}${path}`, wsUrls: [ws(a), ws(b)], pids: [a.pid, b.pid] },
  ];
  const fanOuts = [];
  for (let round = 0; round < REALTIME_ROUNDS; round++) {
    for (const { name, ...target } of configurations) {
      const r = await fanOut(name, { ...target, host }, users, REALTIME);
      console.log(`${describeFanOut(r, { users: USERS, subscribers: REALTIME.subscribers, target: name.startsWith('two') ? '< 50 ms' : '' })}; load ${load()}`);
      assert.equal(r.leaks + r.snoopDeliveries, 0, `${name}: events delivered to non-owners (${r.leaks} leaks, ${r.snoopDeliveries} to snoopers)`);
      fanOuts.push(r);
    }
  }
  const realtimeNote = `(${REALTIME.subscribers} subscribers over ${USERS} users, ${REALTIME.rate} createTodo/s for ${REALTIME.seconds} s, median of ${REALTIME_ROUNDS})`;
  for (const { name } of REALTIME_ROUNDS > 0 ? configurations : []) {
    const mine = fanOuts.filter((r) => r.name === name);
    const stat = (field) => median(mine.map((r) => r[field]));
    results.record(
      `realtime, ${name}: delivery p99`,
      stat('p99'),
      'ms',
      name.startsWith('two') ? '< 50 ms' : '',
      `p50 ${stat('p50').toFixed(1)} ms, max ${stat('max').toFixed(1)} ms, from the mutation's answer p50 ${stat('afterAnswerP50').toFixed(1)} ms, ` +
        `p99 ${stat('afterAnswerP99').toFixed(1)} ms, delivered ${stat('delivered')}/${stat('expected')}; ` +
        `createTodo p99 ${stat('mutationP99').toFixed(1)} ms; server CPU ${(stat('cpuMs') / stat('mutations')).toFixed(1)} ms per mutation ${realtimeNote}`,
    );
  }
} finally {
  for (const stop of stops.reverse()) await stop();
  results.write();
  rmSync(work, { recursive: true, force: true });
  await dropPostgresSchema(database.toString()).catch((error) => console.error(`could not drop ${database.searchParams.get('schema')}: ${error.message}`));
}
