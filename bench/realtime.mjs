#!/usr/bin/env node
// Realtime benchmark (docs/benchmarks.md, "Realtime"). Loopback only, temporary data folders.
//
// BENCH_SUBSCRIBERS (default 1,000) raw `ws` connections, each with one onCreateTodo subscription under
// the owner rule, spread over BENCH_USERS (default 5) users; createTodo mutations over HTTP at
// BENCH_RATE per second (default 10) for BENCH_SECONDS (default 30), each by the next user in turn.
// Latency is measured from the moment a mutation is sent to each delivery (same process, same clock).
// Every event must reach each subscriber of its owner once, and no subscriber of another user
// (leakage). Besides, one extra subscriber per user asks for another user's to-dos with the `owner`
// argument: it must be refused or receive nothing.
//
// The same harness runs against a bare node:http + `ws` server in its own process that verifies the same
// tokens with jose, writes each to-do to SQLite and sends it to its owner's subscriptions
// (bench/realtime-bare.mjs: the limit), and against the cloud (its own process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { CREATE_TODO, TODO_FIELDS, cpuMsOf, deployBenchApi, signIn, startCloud } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const USERS = Number(process.env.BENCH_USERS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** How long deliveries may take after the last mutation before they count as lost. */
const DRAIN_MS = 5000;
const SUBSCRIBE = `subscription OnCreateTodo($owner: String) { onCreateTodo(owner: $owner) { ${TODO_FIELDS.join(' ')} } }`;

const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One subscriber: a connection, connection_init, one start; resolves once start_ack (or an error) arrived. */
function subscribe({ wsUrl, host, user, ownerArgument, onData }) {
  const auth = { Authorization: user.token, host };
  const header = Buffer.from(JSON.stringify(auth)).toString('base64url');
  const socket = new WebSocket(wsUrl, ['graphql-ws', `header-${header}`]);
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start_ack within 30 s (${wsUrl})`)), 30_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === 'connection_ack') {
        const data = JSON.stringify({ query: SUBSCRIBE, variables: ownerArgument ? { owner: ownerArgument } : {} });
        socket.send(JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization: auth } } }));
      } else if (frame.type === 'start_ack') {
        clearTimeout(timer);
        resolve({ socket, refused: false });
      } else if (frame.type === 'error' || frame.type === 'connection_error') {
        clearTimeout(timer);
        resolve({ socket, refused: true, error: frame.payload });
      } else if (frame.type === 'data') {
        onData(frame.payload, performance.now());
      }
    });
  });
}

/** A createTodo over HTTP on a keep-alive agent; resolves with the round-trip milliseconds. */
function mutate(agent, url, token, content) {
  const body = JSON.stringify({ query: CREATE_TODO, variables: { input: { content, done: false } } });
  const target = new URL(url);
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: token, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200 || answer.errors) reject(new Error(`createTodo answered ${res.statusCode}: ${JSON.stringify(answer).slice(0, 300)}`));
          else resolve(performance.now() - t);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the fan-out against one server: `httpUrl` takes createTodo, `wsUrl` is its realtime endpoint. */
async function fanOut(name, { httpUrl, wsUrl, pid }, users) {
  const host = new URL(httpUrl).host;
  const sentAt = [];
  const latencies = [];
  const seen = new Set();
  let leaks = 0;
  let duplicates = 0;
  let snoopDeliveries = 0;
  const subscribers = [];
  const t0 = performance.now();
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, async (_, j) => {
        const index = i + j;
        const user = users[index % users.length];
        const s = await subscribe({
          wsUrl,
          host,
          user,
          onData: (payload, at) => {
            const item = payload?.data?.onCreateTodo;
            if (!item) return;
            if (item.owner !== user.username && item.owner !== user.owner) leaks++;
            const n = Number(item.content.split(' ')[1]);
            const key = `${n}/${index}`;
            if (seen.has(key)) duplicates++;
            seen.add(key);
            latencies.push(at - sentAt[n]);
          },
        });
        if (s.refused) throw new Error(`${name}: a subscription was refused: ${JSON.stringify(s.error)}`);
        subscribers.push(s.socket);
      }),
    );
  }
  const connectMs = performance.now() - t0;
  // One snooper per user: another user's to-dos through the owner argument (any of them it receives is a leak).
  let snoopersRefused = 0;
  for (const [k, user] of users.entries()) {
    const victim = users[(k + 1) % users.length];
    const s = await subscribe({
      wsUrl,
      host,
      user,
      ownerArgument: victim.owner,
      onData: (payload) => {
        if (payload?.data?.onCreateTodo && payload.data.onCreateTodo.owner !== user.username && payload.data.onCreateTodo.owner !== user.owner)
          snoopDeliveries++;
      },
    });
    if (s.refused) snoopersRefused++;
    subscribers.push(s.socket);
  }
  await sleep(500);

  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const mutations = RATE * SECONDS;
  const roundTrips = [];
  const pending = [];
  const cpu0 = cpuMsOf(pid);
  const start = performance.now();
  for (let n = 0; n < mutations; n++) {
    const due = start + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const user = users[n % users.length];
    sentAt[n] = performance.now();
    pending.push(mutate(agent, httpUrl, user.token, `rt ${n}`).then((ms) => roundTrips.push(ms)));
  }
  await Promise.all(pending);
  const expected = mutations * (SUBSCRIBERS / users.length);
  const drainEnd = performance.now() + DRAIN_MS;
  while (seen.size < expected && performance.now() < drainEnd) await sleep(50);
  const cpuMs = cpuMsOf(pid) - cpu0;
  const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  agent.destroy();
  for (const socket of subscribers) socket.terminate();

  latencies.sort((a, b) => a - b);
  roundTrips.sort((a, b) => a - b);
  return {
    name,
    connectMs,
    mutations,
    expected,
    delivered: seen.size,
    duplicates,
    leaks,
    snoopersRefused,
    snoopDeliveries,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    mutationP50: percentile(roundTrips, 50),
    mutationP99: percentile(roundTrips, 99),
    cpuMs,
    rssMiB,
  };
}

const work = mkdtempSync(join(tmpdir(), 'forte-bench-realtime-'));
const results = [];
const stops = [];
try {
  assert.equal(SUBSCRIBERS % USERS, 0, 'BENCH_SUBSCRIBERS must be a multiple of BENCH_USERS');
  const dataDir = join(work, 'cloud');
  const { apiId, poolId, clientId } = await deployBenchApi({ dataDir, users: USERS, ownTodos: 0, otherTodos: 0 });
  // BENCH_PROFILE=DIR: the cloud writes a V8 CPU profile to DIR when it stops.
  const cloud = await startCloud(dataDir, process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
  stops.push(() => cloud.stop());
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await signIn(cloud.url, clientId, `user${String(i).padStart(4, '0')}`));

  const bare = spawn(process.execPath, ['bench/realtime-bare.mjs', `${cloud.url}/${poolId}/.well-known/jwks.json`, join(work, 'bare.db')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stops.push(() => bare.kill());
  const barePort = await new Promise((resolve, reject) => {
    bare.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    bare.once('exit', (code) => reject(new Error(`realtime-bare exited ${code}`)));
  });

  const graphqlUrl = `${cloud.url}/graphql/${apiId}`;
  const runs = [
    await fanOut(
      'bare node:http + ws',
      { httpUrl: `http://127.0.0.1:${barePort}/graphql`, wsUrl: `ws://127.0.0.1:${barePort}/graphql/realtime`, pid: bare.pid },
      users,
    ),
    await fanOut('cloud', { httpUrl: graphqlUrl, wsUrl: `${graphqlUrl.replace(/^http/, 'ws')}/realtime`, pid: cloud.pid }, users),
  ];
  console.log(
    `${SUBSCRIBERS} subscribers over ${USERS} users (${SUBSCRIBERS / USERS} per user), ${RATE} mutations/s for ${SECONDS} s, one process of ws clients`,
  );
  for (const r of runs) {
    results.push(r);
    const ms = (v) => `${v.toFixed(1)} ms`;
    console.log(
      `${r.name}: delivered ${r.delivered}/${r.expected} (${((100 * r.delivered) / r.expected).toFixed(2)}%), ` +
        `p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)}${r.name === 'cloud' ? ' (target < 50 ms)' : ''}, max ${ms(r.max)}; ` +
        `leaks ${r.leaks}, duplicates ${r.duplicates}, snoopers refused ${r.snoopersRefused}/${USERS} and delivered ${r.snoopDeliveries}; ` +
        `createTodo round trip p50 ${ms(r.mutationP50)}, p99 ${ms(r.mutationP99)}; connect ${SUBSCRIBERS} subscribers ${ms(r.connectMs)}; ` +
        `server CPU ${(r.cpuMs / r.mutations).toFixed(1)} ms per mutation, RSS ${r.rssMiB.toFixed(0)} MiB`,
    );
  }
  const cloudRun = runs.at(-1);
  if (cloudRun.leaks > 0 || cloudRun.snoopDeliveries > 0)
    throw new Error(`the cloud delivered events to non-owners: ${cloudRun.leaks} leaks, ${cloudRun.snoopDeliveries} to snoopers`);
} finally {
  for (const stop of stops.reverse()) await stop();
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/realtime-latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  rmSync(work, { recursive: true, force: true });
}
