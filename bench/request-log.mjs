#!/usr/bin/env node
// What the request log costs the request path: the same cheap signed call (DynamoDB ListTables, replayed by wrk)
// against a cloud without the request-log service and with it, alternating, in one run: requests a second and
// the cloud's CPU per request (its process's user + system time over the requests wrk made, which a loaded
// machine disturbs less than the rate). With the log, every request is also buffered and written in batches
// (`npm run bench:request-log`; docs/benchmarks.md). BENCH_DATABASE=postgres puts both clouds on PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { cpuMsOf } from './graphql-deploy.mjs';
import { RUNS, benchDatabase, createResults, load, pin, requireWrk, wrk, wrkNote } from './bench-kit.mjs';

const root = new URL('..', import.meta.url).pathname;
const { createCloud, BUILT_IN_SERVICES, createRequestLogService } = await import(join(root, 'packages/cloud/dist/index.js'));

// `request-log.mjs serve with|without <database url>`: the cloud under test, in a process of its own (wrk runs
// synchronously here), printing its URL and admin keys on one line; it counts the kept rows when asked on stdin.
if (process.argv[2] === 'serve') {
  const withLog = process.argv[3] === 'with';
  const dataDir = mkdtempSync(join(tmpdir(), 'forte-bench-request-log-'));
  const services = withLog ? BUILT_IN_SERVICES : BUILT_IN_SERVICES.filter((s) => s !== createRequestLogService);
  const database = process.argv[4] || undefined;
  const cloud = await createCloud({ dataDir, port: 0, logLevel: 'warn', services, ...(database ? { database } : {}) });
  console.log(JSON.stringify({ url: cloud.url, credentials: cloud.adminCredentials }));
  process.stdin.once('data', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the last batch
    const rows = withLog ? Number((await cloud.kernel.sql.get('SELECT COUNT(*) AS n FROM request_log')).n) : 0;
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(JSON.stringify({ rows }));
    process.exit(0);
  });
} else {
  await main();
}

async function main() {
  requireWrk();
  const database = benchDatabase();
  const results = createResults(`request-log${database.suffix}`);

  /** A signed ListTables that wrk replays (a signature is good for 15 minutes). */
  async function listTables(cloud) {
    const url = new URL('/dynamodb/', cloud.url);
    const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
    const body = '{}';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body,
    });
    return { url: url.toString(), method: 'POST', headers: signed.headers, body };
  }

  async function measure(withLog) {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', withLog ? 'with' : 'without', database.url ?? ''], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    pin(child.pid, 0);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const cloud = JSON.parse((await lines.next()).value);
    try {
      const request = await listTables(cloud);
      wrk(request, 10, 2); // warm up
      const cpuBefore = cpuMsOf(child.pid);
      const run = wrk(request);
      const cpuUsPerRequest = ((cpuMsOf(child.pid) - cpuBefore) * 1000) / run.requests;
      child.stdin.write('done\n');
      const { rows } = JSON.parse((await lines.next()).value);
      return { ...run, cpuUsPerRequest, rows };
    } finally {
      child.kill();
      if (database.url) await database.drop();
    }
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const without = [];
  const withLog = [];
  for (let i = 0; i < RUNS; i++) {
    without.push(await measure(false));
    withLog.push(await measure(true));
  }
  const rate = (runs) => median(runs.map((r) => r.perSecond));
  results.record('ListTables without the request log', rate(without), 'req/s', undefined, wrkNote());
  results.record('ListTables with the request log', rate(withLog), 'req/s', undefined, wrkNote());
  results.record('p50 without the request log', median(without.map((r) => r.p50Ms)), 'ms');
  results.record('p50 with the request log', median(withLog.map((r) => r.p50Ms)), 'ms');
  results.record('p99 without the request log', median(without.map((r) => r.p99Ms)), 'ms');
  results.record('p99 with the request log', median(withLog.map((r) => r.p99Ms)), 'ms');
  results.record('throughput with / without', rate(withLog) / rate(without), 'ratio');
  const cpu = (runs) => median(runs.map((r) => r.cpuUsPerRequest));
  results.record('cloud CPU per request without the request log', cpu(without), 'us');
  results.record('cloud CPU per request with the request log', cpu(withLog), 'us');
  console.log(`rows kept / requests measured (the warm-up's rows included): ${withLog.map((r) => `${r.rows}/${r.requests}`).join(', ')}; load ${load()}`);
  results.write();
}
