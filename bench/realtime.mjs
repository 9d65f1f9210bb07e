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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployBenchApi, signIn, startCloud } from './graphql-deploy.mjs';
import { describeFanOut, fanOut } from './realtime-fan-out.mjs';

const root = new URL('..', import.meta.url).pathname;
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const USERS = Number(process.env.BENCH_USERS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const sizes = { subscribers: SUBSCRIBERS, rate: RATE, seconds: SECONDS };

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
      { httpUrl: `http://127.0.0.1:${barePort}/graphql`, wsUrls: [`ws://127.0.0.1:${barePort}/graphql/realtime`], pids: [bare.pid] },
      users,
      sizes,
    ),
    await fanOut('cloud', { httpUrl: graphqlUrl, wsUrls: [`${graphqlUrl.replace(/^http/, 'ws')}/realtime`], pids: [cloud.pid] }, users, sizes),
  ];
  console.log(
    `${SUBSCRIBERS} subscribers over ${USERS} users (${SUBSCRIBERS / USERS} per user), ${RATE} mutations/s for ${SECONDS} s, one process of ws clients`,
  );
  for (const r of runs) {
    results.push(r);
    console.log(describeFanOut(r, { users: USERS, subscribers: SUBSCRIBERS, target: r.name === 'cloud' ? '< 50 ms' : '' }));
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
