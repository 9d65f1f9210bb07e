#!/usr/bin/env node
// Storage benchmark (docs/benchmarks.md, "Storage (S3)"). Loopback only, temporary folders on one disk.
//
// The cloud runs as its own process on a fresh data folder; a bucket is created with @aws-sdk/client-s3 (admin
// keys from the data folder's admin-credentials.json, path-style at `<cloud>/s3`). Beside it, in the same run,
// `node bench/s3-bare.mjs <folder>`: a bare node:http file server (PUT streams the body to a file, GET streams it
// back with content-length), its folder in the same temporary directory as the cloud's data folder.
// The measured load does no signing: PUT and GET URLs are presigned once (@smithy/signature-v4, as
// @aws-sdk/s3-request-presigner does it: UNSIGNED-PAYLOAD, valid one hour, longer than the run) and replayed.
// 1. 4 KB objects: wrk (a Lua script for the PUT and its 4 KB body) at BENCH_CONNECTIONS connections, PUT then
//    GET of one key, against the presigned URLs and against the bare server's same path.
// 2. 64 MB objects: a Node client (this process), BENCH_STREAMS concurrent streams, each PUTting (from one
//    1 MiB buffer written 64 times) or GETting (read and dropped) its own key in a loop for BENCH_SECONDS;
//    bytes per second of the requests completed.
// Ratios are cloud / bare of the same measure in the same run; medians of BENCH_RUNS runs.
// 3. One 1 GiB object streamed into the cloud as one presigned PUT (content-length known; the body generated
//    1 MiB at a time, never held), while the cloud's VmRSS is read from /proc every 100 ms: peak minus the RSS
//    just before. HEAD then checks the size. Then the same as a multipart upload: 8 presigned UploadPart
//    requests of 128 MiB one after another and CompleteMultipartUpload, sampled the same way.
// Where `taskset` exists (BENCH_PIN=0 turns it off), the servers run on core 0 and this process and wrk on core
// 1. Answers are checked before any timing (bodies compared byte for byte, an unsigned request refused). CPU
// per request or per MiB: /proc times of the server over the run.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CONNECTIONS, PIN, RUNS, SECONDS, createResults, load, measure, pin, profileArgs, requireWrk, startBare, unpin, wrkNote } from './bench-kit.mjs';
import { cpuMsOf, median, startCloud } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const STREAMS = Number(process.env.BENCH_STREAMS ?? 4);
const SMALL = 4 * 1024;
const LARGE = 64 * 1024 * 1024;
const HUGE = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const BUCKET = 'bench-storage';

const work = mkdtempSync(join(tmpdir(), 'forte-bench-s3-'));
const { record, write } = createResults('s3');
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** A presigned URL for `method` on `/s3/<bucket>/<key>` and `query` (admin keys; UNSIGNED-PAYLOAD, valid one hour). */
async function presign(cloudUrl, credentials, method, key, query = { 'x-id': method === 'PUT' ? 'PutObject' : 'GetObject' }) {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const url = new URL(cloudUrl);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
  const path = `/s3/${BUCKET}/${key}`;
  const signed = await signer.presign(
    {
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: 3600 },
  );
  return `${url.origin}${path}?${new URLSearchParams(signed.query).toString()}`;
}

/** One request on a fresh connection; the body is a Buffer or a Readable with `length` bytes. */
function send(url, method, body, length) {
  return new Promise((done, fail) => {
    const headers = body === undefined ? {} : { 'content-length': String(length ?? body.length) };
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

/** `total` bytes generated 1 MiB at a time from one buffer (its first 8 bytes the chunk's number). */
function generated(total) {
  const chunk = Buffer.alloc(MiB, 'forte storage benchmark ');
  let sent = 0;
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(MiB, total - sent);
      const out = Buffer.from(chunk.subarray(0, n));
      out.writeBigUInt64BE(BigInt(sent / MiB), 0);
      sent += n;
      this.push(out);
    },
  });
}
const sha256Of = async (readable) => {
  const hash = createHash('sha256');
  for await (const chunk of readable) hash.update(chunk);
  return hash.digest('hex');
};

/** wrk against a server, with its CPU µs per request. */
function measureSmall(server, url, method, seconds = SECONDS) {
  const body = method === 'PUT' ? { headers: { 'Content-Type': 'application/octet-stream' }, body: 'x'.repeat(SMALL) } : {};
  const r = measure(server, { url, method, ...body }, CONNECTIONS, seconds);
  return { ...r, cpuUs: r.serverCpuUs };
}

/**
 * Waits for the page cache's dirty pages to reach the disk (`sync`), so that a measure does not pay for the
 * write-back of the one before it: 64 MB PUTs leave gigabytes of dirty pages, and whichever server ran next was
 * slowed by their write-back (the ratios moved with the order of the measures).
 */
function settleDisk() {
  const r = spawnSync('sync', { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new Error(`sync failed: ${r.error?.message ?? `exit ${r.status}`}`);
}

/**
 * STREAMS concurrent loops of 64 MB PUTs or GETs (urls[i] for stream i) for `seconds`: MiB/s of the requests
 * completed, and the server's CPU ms per MiB.
 */
async function measureLarge(server, urls, method, seconds = SECONDS, whole = false) {
  if (whole) {
    unpin(server.pid);
    unpin(process.pid);
  }
  try {
    return await measureLargeNow(server, urls, method, seconds);
  } finally {
    if (whole) {
      pin(server.pid, 0);
      pin(process.pid, 1);
    }
  }
}

async function measureLargeNow(server, urls, method, seconds) {
  settleDisk();
  const cpu0 = cpuMsOf(server.pid);
  const t0 = process.hrtime.bigint();
  const until = Date.now() + seconds * 1000;
  let bytes = 0;
  await Promise.all(
    urls.map(async (url) => {
      while (Date.now() < until) {
        const r = await new Promise((done, fail) => {
          const req = request(url, { method, headers: method === 'PUT' ? { 'content-length': String(LARGE) } : {}, agent: false }, (res) => {
            let got = 0;
            res.on('data', (d) => (got += d.length));
            res.on('end', () => done({ status: res.statusCode, got }));
          });
          req.on('error', fail);
          if (method === 'PUT') generated(LARGE).pipe(req);
          else req.end();
        });
        if (r.status !== 200 || (method === 'GET' && r.got !== LARGE)) throw new Error(`${method} ${url}: ${r.status}, ${r.got} bytes`);
        bytes += LARGE;
      }
    }),
  );
  const seconds_ = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mibPerSecond: bytes / MiB / seconds_, cpuMsPerMiB: (cpuMsOf(server.pid) - cpu0) / (bytes / MiB) };
}

const stops = [];
try {
  requireWrk();
  pin(process.pid, 1);
  console.log(`${new Date().toISOString()}, load average ${load()}`);
  const dataDir = join(work, 'cloud');
  const cloud = await startCloud(dataDir, profileArgs());
  stops.push(() => cloud.stop());
  const bare = await startBare(join(root, 'bench/s3-bare.mjs'), [join(work, 'bare')]);
  stops.push(bare.stop);
  const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
  const { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts: 1 });
  stops.push(() => s3.destroy());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const rssAtStart = rssKiB(cloud.pid);

  // Answers first: a 4 KB and a 64 MB body through each side come back byte for byte; unsigned is refused.
  const small = { put: await presign(cloud.url, credentials, 'PUT', 'small'), get: await presign(cloud.url, credentials, 'GET', 'small') };
  const smallBody = Buffer.alloc(SMALL, 'x');
  for (const [put, get] of [
    [small.put, small.get],
    [`${bare.url}/small`, `${bare.url}/small`],
  ]) {
    const p = await send(put, 'PUT', smallBody);
    assert.equal(p.status, 200, `PUT ${put}: ${p.body}`);
    const g = await send(get, 'GET');
    assert.equal(g.status, 200, `GET ${get}: ${g.body}`);
    assert.ok(g.body.equals(smallBody), `GET ${get} answers the 4 KB body`);
  }
  assert.equal((await send(`${cloud.url}/s3/${BUCKET}/small`, 'GET')).status, 403, 'an unsigned GET is refused');
  assert.equal((await send(small.put, 'PUT', smallBody)).status, 200, 'the same presigned PUT answers again');
  const large = { put: [], get: [], bare: [] };
  for (let i = 0; i < STREAMS; i++) {
    large.put.push(await presign(cloud.url, credentials, 'PUT', `large-${i}`));
    large.get.push(await presign(cloud.url, credentials, 'GET', `large-${i}`));
    large.bare.push(`${bare.url}/large-${i}`);
  }
  const largeSha = await sha256Of(generated(LARGE));
  for (const [put, get] of [
    [large.put[0], large.get[0]],
    [large.bare[0], large.bare[0]],
  ]) {
    assert.equal((await send(put, 'PUT', generated(LARGE), LARGE)).status, 200, `PUT ${put}`);
    const sha = await new Promise((done, fail) =>
      request(get, { agent: false }, (res) => sha256Of(res).then(done, fail))
        .on('error', fail)
        .end(),
    );
    assert.equal(sha, largeSha, `GET ${get} answers the 64 MB body`);
  }

  pin(cloud.pid, 0);
  pin(bare.pid, 0);
  console.log(PIN ? 'servers on core 0, wrk and the 64 MB client on core 1 (BENCH_PIN=0: unpinned)' : 'unpinned (no taskset, one core, or BENCH_PIN=0)');
  // Warm-up (not counted).
  measureSmall(bare, `${bare.url}/small`, 'PUT', 2);
  measureSmall(cloud, small.put, 'PUT', 2);
  await measureLarge(bare, large.bare, 'PUT', 2);
  await measureLarge(cloud, large.put, 'PUT', 2);
  const rows = {};
  const push = (key, value) => (rows[key] ??= []).push(value);
  for (let run = 0; run < RUNS; run++) {
    const bp = measureSmall(bare, `${bare.url}/small`, 'PUT');
    const cp = measureSmall(cloud, small.put, 'PUT');
    const bg = measureSmall(bare, `${bare.url}/small`, 'GET');
    const cg = measureSmall(cloud, small.get, 'GET');
    // The two servers take turns at going first (odd runs the bare server, even runs the cloud).
    const inTurn = async (bareFirst, onBare, onCloud) => {
      if (bareFirst) {
        const b = await onBare();
        return [b, await onCloud()];
      }
      const c = await onCloud();
      return [await onBare(), c];
    };
    const bareFirst = run % 2 === 0;
    /** One 64 MB measure of each server, in turn; `whole`: the servers and the client free to use every core. */
    const large64 = (method, whole = false) =>
      inTurn(
        bareFirst,
        () => measureLarge(bare, large.bare, method, SECONDS, whole),
        () => measureLarge(cloud, method === 'PUT' ? large.put : large.get, method, SECONDS, whole),
      );
    const [bP, cP] = await large64('PUT');
    const [bG, cG] = await large64('GET');
    // The same with the servers and the client free to use every core (as a server is deployed): what a
    // server does on threads of its own (the cloud hashes a large body off its main thread) shows only then.
    const [bPw, cPw] = PIN ? await large64('PUT', true) : [bP, cP];
    const [bGw, cGw] = PIN ? await large64('GET', true) : [bG, cG];
    for (const [key, value] of Object.entries({ bp, cp, bg, cg, bP, cP, bG, cG, bPw, cPw, bGw, cGw })) push(key, value);
    push('smallPut', cp.perSecond / bp.perSecond);
    push('smallGet', cg.perSecond / bg.perSecond);
    push('largePut', cP.mibPerSecond / bP.mibPerSecond);
    push('largeGet', cG.mibPerSecond / bG.mibPerSecond);
    push('largePutWhole', cPw.mibPerSecond / bPw.mibPerSecond);
    push('largeGetWhole', cGw.mibPerSecond / bGw.mibPerSecond);
    console.log(
      `run ${run + 1}: 4 KB PUT cloud ${cp.perSecond.toFixed(0)} / bare ${bp.perSecond.toFixed(0)} req/s, GET ${cg.perSecond.toFixed(0)} / ${bg.perSecond.toFixed(0)} req/s; ` +
        `64 MB PUT ${cP.mibPerSecond.toFixed(0)} / ${bP.mibPerSecond.toFixed(0)} MiB/s, GET ${cG.mibPerSecond.toFixed(0)} / ${bG.mibPerSecond.toFixed(0)} MiB/s; ` +
        `every core: PUT ${cPw.mibPerSecond.toFixed(0)} / ${bPw.mibPerSecond.toFixed(0)}, GET ${cGw.mibPerSecond.toFixed(0)} / ${bGw.mibPerSecond.toFixed(0)} MiB/s (load ${load()})`,
    );
  }
  const stat = (key, field) => median(rows[key].map((r) => r[field]));
  const smallNote = wrkNote();
  const largeNote = `(${STREAMS} streams for ${SECONDS} s, median of ${RUNS}${PIN ? ', servers on core 0, client on core 1' : ', unpinned'})`;
  const wholeNote = `(${STREAMS} streams for ${SECONDS} s, median of ${RUNS}, servers and client on every core)`;
  const smallDetail = (key) => `p50 ${stat(key, 'p50Ms').toFixed(2)} ms, p99 ${stat(key, 'p99Ms').toFixed(2)} ms, ${stat(key, 'cpuUs').toFixed(0)} CPU µs/req`;
  const largeDetail = (key) => `${stat(key, 'cpuMsPerMiB').toFixed(2)} CPU ms/MiB`;
  for (const [method, b, c, ratio] of [
    ['PUT', 'bp', 'cp', 'smallPut'],
    ['GET', 'bg', 'cg', 'smallGet'],
  ]) {
    record(`4 KB ${method}: bare node:http (req/s)`, stat(b, 'perSecond'), 'req/s', '', smallDetail(b));
    record(`4 KB ${method}: S3 API, presigned (req/s)`, stat(c, 'perSecond'), 'req/s', '', smallDetail(c));
    record(`4 KB ${method}: cloud / bare`, median(rows[ratio]), 'ratio', '≥ 0.6', smallNote);
  }
  for (const [method, b, c, ratio] of [
    ['PUT', 'bP', 'cP', 'largePut'],
    ['GET', 'bG', 'cG', 'largeGet'],
  ]) {
    record(`64 MB ${method}: bare node:http (MiB/s)`, stat(b, 'mibPerSecond'), 'MiB/s', '', largeDetail(b));
    record(`64 MB ${method}: S3 API, presigned (MiB/s)`, stat(c, 'mibPerSecond'), 'MiB/s', '', largeDetail(c));
    record(`64 MB ${method}: cloud / bare`, median(rows[ratio]), 'ratio', PIN ? '' : '≥ 0.8', largeNote);
  }
  if (PIN) {
    for (const [method, b, c, ratio] of [
      ['PUT', 'bPw', 'cPw', 'largePutWhole'],
      ['GET', 'bGw', 'cGw', 'largeGetWhole'],
    ]) {
      record(`64 MB ${method}, every core: bare node:http (MiB/s)`, stat(b, 'mibPerSecond'), 'MiB/s', '', largeDetail(b));
      record(`64 MB ${method}, every core: S3 API, presigned (MiB/s)`, stat(c, 'mibPerSecond'), 'MiB/s', '', largeDetail(c));
      record(`64 MB ${method}, every core: cloud / bare`, median(rows[ratio]), 'ratio', '≥ 0.8', wholeNote);
    }
  }

  // 1 GiB in one streaming PUT, the cloud's RSS sampled every 100 ms.
  const hugePut = await presign(cloud.url, credentials, 'PUT', 'huge');
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssKiB(cloud.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(cloud.pid))), 100);
  const t0 = process.hrtime.bigint();
  const huge = await send(hugePut, 'PUT', generated(HUGE), HUGE).finally(() => clearInterval(sampler));
  const hugeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, rssKiB(cloud.pid));
  assert.equal(huge.status, 200, `PUT of 1 GiB: ${huge.body}`);
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'huge' }));
  assert.equal(head.ContentLength, HUGE, 'HEAD answers the 1 GiB size');
  record(
    'PUT of 1 GiB, one presigned streaming request: cloud RSS growth (MB)',
    (peak - before) / 1024,
    'MB',
    '< 50 MB',
    `(RSS ${(rssAtStart / 1024).toFixed(0)} MB after start-up, ${(before / 1024).toFixed(0)} MB before this PUT, peak ${(peak / 1024).toFixed(0)} MB; ${(HUGE / MiB / hugeSeconds).toFixed(0)} MiB/s)`,
  );

  // 1 GiB again as a multipart upload: 8 presigned UploadPart requests of 128 MiB one after another, then
  // CompleteMultipartUpload (the parts joined into one object), the RSS sampled throughout.
  const PARTS = 8;
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'huge-multipart' }));
  const beforeMultipart = rssKiB(cloud.pid);
  let peakMultipart = beforeMultipart;
  const multipartSampler = setInterval(() => (peakMultipart = Math.max(peakMultipart, rssKiB(cloud.pid))), 100);
  const t1 = process.hrtime.bigint();
  const parts = [];
  try {
    for (let part = 1; part <= PARTS; part++) {
      const url = await presign(cloud.url, credentials, 'PUT', 'huge-multipart', { 'x-id': 'UploadPart', partNumber: String(part), uploadId: upload.UploadId });
      const sent = await send(url, 'PUT', generated(HUGE / PARTS), HUGE / PARTS);
      assert.equal(sent.status, 200, `UploadPart ${part}: ${sent.body}`);
      parts.push({ PartNumber: part, ETag: sent.headers.etag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'huge-multipart', UploadId: upload.UploadId, MultipartUpload: { Parts: parts } }));
  } finally {
    clearInterval(multipartSampler);
  }
  const multipartSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  peakMultipart = Math.max(peakMultipart, rssKiB(cloud.pid));
  const headMultipart = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'huge-multipart' }));
  assert.equal(headMultipart.ContentLength, HUGE, 'HEAD answers the 1 GiB size of the multipart object');
  record(
    `1 GiB as ${PARTS} presigned parts of 128 MiB and CompleteMultipartUpload: cloud RSS growth (MB)`,
    (peakMultipart - beforeMultipart) / 1024,
    'MB',
    '< 50 MB',
    `(RSS ${(beforeMultipart / 1024).toFixed(0)} MB before, peak ${(peakMultipart / 1024).toFixed(0)} MB; ${(HUGE / MiB / multipartSeconds).toFixed(0)} MiB/s)`,
  );
  console.log(`load average at the end ${load()}`);
} finally {
  for (const stop of stops.reverse()) await stop();
  write();
  rmSync(work, { recursive: true, force: true });
}
