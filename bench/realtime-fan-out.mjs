// The realtime fan-out harness (bench/realtime.mjs, bench/cluster.mjs): raw `ws` subscribers speaking AppSync's
// realtime protocol as aws-amplify does, createTodo mutations at a fixed rate over HTTP, and, for every
// delivery, the time from sending the mutation to receiving its `data` frame (one process, one clock).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { CREATE_TODO, TODO_FIELDS, cpuMsOf } from './graphql-deploy.mjs';

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

/**
 * Runs the fan-out once: `subscribers` connections (a multiple of the users; subscriber i is user i mod users
 * and connects to wsUrls[i mod wsUrls.length]), each with one onCreateTodo under the owner rule, plus one
 * snooper per user asking for the next user's to-dos with the `owner` argument; then createTodo at `rate` per
 * second for `seconds` to `httpUrl`, users in turn. `host` goes in the subscribers' authorization (default:
 * httpUrl's). CPU and RSS are summed over `pids` (the servers under test). Answers the delivery latencies
 * (p50/p95/p99/max; p50/p99 also from the mutation's answer), delivered / expected, leaks, duplicates, the snoopers' outcome and the mutation's round trip.
 */
export async function fanOut(name, { httpUrl, wsUrls, host = new URL(httpUrl).host, pids }, users, { subscribers, rate, seconds }) {
  const sentAt = [];
  const answeredAt = [];
  const latencies = [];
  // Every delivery as (mutation number, time received), to measure it from the mutation's answer at the end.
  const deliveries = [];
  const seen = new Set();
  let leaks = 0;
  let duplicates = 0;
  let snoopDeliveries = 0;
  const sockets = [];
  const t0 = performance.now();
  for (let i = 0; i < subscribers; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, subscribers - i) }, async (_, j) => {
        const index = i + j;
        const user = users[index % users.length];
        const s = await subscribe({
          wsUrl: wsUrls[index % wsUrls.length],
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
            deliveries.push(n, at);
          },
        });
        if (s.refused) throw new Error(`${name}: a subscription was refused: ${JSON.stringify(s.error)}`);
        sockets.push(s.socket);
      }),
    );
  }
  const connectMs = performance.now() - t0;
  // One snooper per user: another user's to-dos through the owner argument (any of them it receives is a leak).
  let snoopersRefused = 0;
  for (const [k, user] of users.entries()) {
    const victim = users[(k + 1) % users.length];
    const s = await subscribe({
      wsUrl: wsUrls[k % wsUrls.length],
      host,
      user,
      ownerArgument: victim.owner,
      onData: (payload) => {
        if (payload?.data?.onCreateTodo && payload.data.onCreateTodo.owner !== user.username && payload.data.onCreateTodo.owner !== user.owner)
          snoopDeliveries++;
      },
    });
    if (s.refused) snoopersRefused++;
    sockets.push(s.socket);
  }
  await sleep(500);

  // An idle socket is closed after 4 s, before the server's 5 s keep-alive timeout: reusing one the server is
  // closing fails the mutation (ECONNRESET) when the round trips are short enough to leave sockets idle.
  const agent = new Agent({ keepAlive: true, maxSockets: 8, timeout: 4000 });
  const mutations = rate * seconds;
  const roundTrips = [];
  const pending = [];
  const cpu = () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const cpu0 = cpu();
  const start = performance.now();
  for (let n = 0; n < mutations; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const user = users[n % users.length];
    sentAt[n] = performance.now();
    const sent = mutate(agent, httpUrl, user.token, `rt ${n}`).then((ms) => {
      roundTrips.push(ms);
      answeredAt[n] = performance.now();
    });
    // Handled now (Promise.all below throws the first failure once every mutation is sent), not left
    // unhandled while the loop still sends, which would end the process.
    sent.catch(() => undefined);
    pending.push(sent);
  }
  await Promise.all(pending);
  const expected = mutations * (subscribers / users.length);
  const drainEnd = performance.now() + DRAIN_MS;
  while (seen.size < expected && performance.now() < drainEnd) await sleep(50);
  const cpuMs = cpu() - cpu0;
  const rssMiB = pids.reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024, 0);
  agent.destroy();
  for (const socket of sockets) socket.terminate();

  // From the mutation's answer: what the fan-out adds once the write is done, without the mutation's own
  // time (negative where the frame came in before the answer).
  const afterAnswer = [];
  for (let i = 0; i < deliveries.length; i += 2) afterAnswer.push(deliveries[i + 1] - answeredAt[deliveries[i]]);
  latencies.sort((a, b) => a - b);
  roundTrips.sort((a, b) => a - b);
  afterAnswer.sort((a, b) => a - b);
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
    afterAnswerP50: percentile(afterAnswer, 50),
    afterAnswerP99: percentile(afterAnswer, 99),
    mutationP50: percentile(roundTrips, 50),
    mutationP99: percentile(roundTrips, 99),
    cpuMs,
    rssMiB,
  };
}

/** One line of a fan-out's figures, as the realtime benches print them (`target` beside its p99). */
export function describeFanOut(r, { users, subscribers, target = '' }) {
  const ms = (v) => `${v.toFixed(1)} ms`;
  return (
    `${r.name}: delivered ${r.delivered}/${r.expected} (${((100 * r.delivered) / r.expected).toFixed(2)}%), ` +
    `p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)}${target ? ` (target ${target})` : ''}, max ${ms(r.max)}; ` +
    `from the mutation's answer p50 ${ms(r.afterAnswerP50)}, p99 ${ms(r.afterAnswerP99)}; ` +
    `leaks ${r.leaks}, duplicates ${r.duplicates}, snoopers refused ${r.snoopersRefused}/${users} and delivered ${r.snoopDeliveries}; ` +
    `createTodo round trip p50 ${ms(r.mutationP50)}, p99 ${ms(r.mutationP99)}; connect ${subscribers} subscribers ${ms(r.connectMs)}; ` +
    `server CPU ${(r.cpuMs / r.mutations).toFixed(1)} ms per mutation, RSS ${r.rssMiB.toFixed(0)} MiB`
  );
}
