// What the wrk benchmarks (rest.mjs, functions.mjs, s3.mjs) share: core pinning, the load average, the figures
// they record and write to bench/results/, wrk runs with CPU per request, and the bare servers they compare with.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMsOf } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;

/** Runs of each measure (BENCH_RUNS, 3), seconds of each (BENCH_SECONDS, 10), wrk's connections (BENCH_CONNECTIONS, 10). */
export const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** Whether servers and wrk go on cores of their own: `taskset` exists, two cores or more, and BENCH_PIN is not 0. */
export const PIN = process.env.BENCH_PIN !== '0' && availableParallelism() >= 2 && !spawnSync('taskset', ['-V']).error;

/** Puts every thread of `pid` on `core` (threads it starts later inherit it), when PIN. */
export function pin(pid, core = 0) {
  if (PIN && spawnSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' }).status !== 0) throw new Error(`taskset could not pin ${pid}`);
}

/** Lets every thread of `pid` run on any core again (threads it starts later inherit it), when PIN. */
export function unpin(pid) {
  const all = `0-${cpus().length - 1}`; // not availableParallelism(): this process may be pinned itself
  if (PIN && spawnSync('taskset', ['-a', '-cp', all, String(pid)], { stdio: 'ignore' }).status !== 0) throw new Error(`taskset could not unpin ${pid}`);
}

/** How the wrk figures were taken, for their notes. */
export const wrkNote = () => `(wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, median of ${RUNS}${PIN ? ', servers on core 0, wrk on core 1' : ', unpinned'})`;

/** The load average, as the benches print it beside their figures. */
export const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** The `--cpu-prof` arguments for the cloud when BENCH_PROFILE names a folder for its profile. */
export const profileArgs = () => (process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);

/**
 * The figures of one bench: `record` prints each as it comes and keeps it; `write` saves them all, with the date and
 * the load average, as bench/results/<name>-latest.json.
 */
export function createResults(name) {
  const results = [];
  return {
    record(figure, value, unit, target, note = '') {
      results.push({ name: figure, value, unit, target, note });
      const shown = unit === 'ratio' ? value.toFixed(2) : `${value.toFixed(unit === 'ms' ? 2 : 0)} ${unit}`;
      console.log(`${figure}: ${shown}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
    },
    write() {
      mkdirSync(join(root, 'bench/results'), { recursive: true });
      writeFileSync(
        join(root, `bench/results/${name}-latest.json`),
        JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), results }, null, 2),
      );
    },
  };
}

/**
 * The database of the bench's cloud: BENCH_DATABASE=postgres puts it on PostgreSQL (FORTE_BENCH_POSTGRES_URL,
 * default the machine's local server) in a fresh schema that `drop` removes, through FORTE_DATABASE, which the
 * cloud's bin reads too (pass `url` to an in-process createCloud); otherwise the data folder's SQLite file.
 * `suffix` tells the results apart (`rest-postgres-latest.json`).
 */
export function benchDatabase() {
  if (process.env.BENCH_DATABASE !== 'postgres') return { url: undefined, suffix: '', drop: () => Promise.resolve() };
  const server = process.env.FORTE_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const url = new URL(server);
  const schema = `forte_bench_${process.pid}`;
  url.searchParams.set('schema', schema);
  process.env.FORTE_DATABASE = url.toString();
  return {
    url: url.toString(),
    suffix: '-postgres',
    drop: async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Throws unless wrk is installed. */
export function requireWrk() {
  if (spawnSync('wrk', ['--version']).error) throw new Error('this benchmark needs wrk (apt-get install -y wrk)');
}

/**
 * wrk (one thread, on core 1 when PIN) replaying one request for `seconds`: its Lua script sets the method, the body
 * and every header (a `host` header becomes wrk's "Host", so a signed host is kept). Throws when wrk saw a socket
 * error or an answer other than 2xx; answers the rate, the count and p50/p99.
 */
export function wrk({ url, method = 'GET', headers = {}, body }, connections = CONNECTIONS, seconds = SECONDS) {
  const script = join(tmpdir(), `forte-bench-wrk-${process.pid}-${Math.random().toString(36).slice(2)}.lua`);
  const lines = [`wrk.method = "${method}"`];
  if (body !== undefined) lines.push(`wrk.body = ${JSON.stringify(body)}`);
  for (const [name, value] of Object.entries(headers))
    lines.push(`wrk.headers[${JSON.stringify(name === 'host' ? 'Host' : name)}] = ${JSON.stringify(String(value))}`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', script, url];
  const r = PIN ? spawnSync('taskset', ['-c', '1', 'wrk', ...args], { encoding: 'utf8' }) : spawnSync('wrk', args, { encoding: 'utf8' });
  rmSync(script, { force: true });
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout)?.slice(1).map(Number) ?? [0, 0, 0, 0];
  if (r.status !== 0 || /Non-2xx/.test(r.stdout) || socketErrors.some((n) => n > 0))
    throw new Error(`wrk ${method} ${url} saw errors:\n${r.stdout}${r.stderr}`);
  const latency = (pct) => {
    const m = new RegExp(`${pct}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  };
  return {
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0),
    p50Ms: latency(50),
    p99Ms: latency(99),
  };
}

/** The pids of the children of `pid` (a cloud's function processes), none once it is gone. */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * wrk against a server (`{ pid }`): its figures, with CPU µs per request of the server and its children
 * (`cpuUs`: function processes included) and of the server alone (`serverCpuUs`).
 */
export function measure(server, request, connections = CONNECTIONS, seconds = SECONDS) {
  const cpu = () => [server.pid, ...childrenOf(server.pid)].reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const cpu0 = cpu();
  const own0 = cpuMsOf(server.pid);
  const r = wrk(request, connections, seconds);
  return { ...r, cpuUs: ((cpu() - cpu0) * 1000) / r.requests, serverCpuUs: ((cpuMsOf(server.pid) - own0) * 1000) / r.requests };
}

/** Kills a cloud with SIGKILL and waits (at most 10 s) until its function processes have exited. */
export async function killLeavingFunctions(pid) {
  const functions = childrenOf(pid);
  process.kill(pid, 'SIGKILL');
  const alive = (p) => {
    try {
      return process.kill(p, 0);
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && functions.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Starts `node <script> <args>`, a bare server that prints its port as a line of digits (what else it writes to
 * stdout is read and dropped; stderr as `stderr` says); answers its URL, pid and stop.
 */
export async function startBare(script, args, { stderr = 'inherit' } = {}) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', stderr] });
  const port = await new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)$/m.exec(out);
      if (!m) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      done(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`${script} exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill() };
}

/** A request signed with SigV4 (valid 15 minutes, longer than a run), as wrk replays it: the URL and every header. */
export async function signedRequest({ href, method, service, region, credentials, headers = {}, body }) {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const url = new URL(href);
  const signer = new SignatureV4({ service, region, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { url: url.href, method, headers: signed.headers, ...(body === undefined ? {} : { body }) };
}

/** A TCP port of 127.0.0.1 free right now (for a server that must be told its port before it starts). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * Amplify's Serverless ExpressJS function as the function category writes it (`src/index.js` with
 * aws-serverless-express, `src/app.js`, `src/package.json`), its dependencies installed from the registry, in
 * `<work>/src`: answers that folder.
 */
export async function expressFunctionSource(work) {
  const { sourceFiles } = await import(join(root, 'packages/category-function/dist/source-templates.js'));
  const src = join(work, 'src');
  mkdirSync(src);
  for (const [file, text] of Object.entries(sourceFiles({ functionName: 'restexpress', template: 'serverless' }))) writeFileSync(join(src, file), text);
  const npm = spawnSync('npm', ['install', '--production', '--no-audit', '--no-fund', '--no-bin-links'], { cwd: src, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm install in the function's src/ failed:\n${npm.stdout}${npm.stderr}`);
  return src;
}
