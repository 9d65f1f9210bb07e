#!/usr/bin/env node
// Auth benchmarks (docs/benchmarks.md, "Auth"). Loopback only, temporary data folders.
//
// Each throughput figure is printed beside a baseline measured in the same run:
// - sign-ins per second (SRP and USER_PASSWORD_AUTH) against the server-side cryptography of one
//   sign-in run in a loop in one process, at the same concurrency;
// - GetUser per second against a bare node:http JSON echo, with the same client (wrk) and concurrency,
//   and the CPU microseconds per request of the cloud and of the echo (from /proc: robust to the load).
// The load comes from a second process (this file with `--load`), so the cloud's own throughput is
// measured; on a 2-core machine the client and the cloud share the cores. Each measure and its baseline
// run by turns (2-second turns for sign-ins, 1-second turns for GetUser) so that a change in the
// machine's speed during a run weighs on both alike. Memory: the cloud's RSS with 100,000 users in a
// pool, beside an empty cloud's. Medians of BENCH_RUNS runs (default 3); BENCH_SECONDS (default 6) of
// each measure per run; BENCH_ONLY=getuser runs only the GetUser comparison.
import './sdk-notice.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudNodeArgs } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const cloudDist = join(root, 'packages/cloud/dist');
const cognitoDist = join(cloudDist, 'services/cognito-idp');
const cloudBin = join(cloudDist, 'bin.cjs');
const { createVerifier, hkdfKey, claimSignature, modPowN, serverEphemeral, srpTimestamp, srpU, srpX, verifyPasswordClaim, SRP_G, SRP_K, SRP_N } = await import(
  join(cognitoDist, 'srp-math.js')
);

const TARGET = 'AWSCognitoIdentityProviderService.';
const PASSWORD = 'Bench-Passw0rd!';
/** Users that sign in during the throughput runs (each with its own SRP verifier). */
const SIGN_IN_USERS = 200;

if (process.argv[2] === '--load') await load(JSON.parse(process.argv[3]));
else await main();

// ---------------------------------------------------------------------------------------------------
// Load driver (a child process): signs in as fast as the cloud answers, CONCURRENCY requests in flight.

/** A keep-alive JSON POST to the cloud's user pool API; answers the parsed body (an error's too). */
function caller(url, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  return (operation, input) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(input);
      const req = request(
        {
          host: hostname,
          port,
          path: '/cognito-idp/',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}${operation}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * The client half of SRP, as amplify-js computes it, with the server's own maths from dist. Client
 * ephemeral keys are a₀+i (A = A₍ᵢ₋₁₎·g mod N: one multiplication each) and g^x is cached per user, so
 * the client spends one modexp per sign-in instead of three and leaves more of the 2 cores to the cloud.
 */
function srpClient(poolName) {
  let a = BigInt(`0x${randomBytes(128).toString('hex')}`);
  let A = modPowN(SRP_G, a);
  const gx = new Map();
  return {
    next() {
      a += 1n;
      A = (A * SRP_G) % SRP_N;
      return { a, A };
    },
    claim({ a, A }, challenge) {
      const { SALT: salt, SRP_B, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userId } = challenge;
      const B = BigInt(`0x${SRP_B}`);
      const x = srpX(salt, poolName, userId, PASSWORD);
      let gX = gx.get(userId);
      if (gX === undefined) gx.set(userId, (gX = modPowN(SRP_G, x)));
      const u = srpU(A, B);
      const S = modPowN(B - SRP_K * gX, a + u * x);
      const timestamp = srpTimestamp(new Date());
      return { timestamp, secretBlock, signature: claimSignature(hkdfKey(S, u), poolName, userId, secretBlock, timestamp).toString('base64') };
    },
  };
}

async function load({ kind, url, clientId, poolName, seconds, concurrency, warmupSeconds }) {
  const call = caller(url, concurrency);
  const srp = srpClient(poolName);
  let next = 0;
  const username = () => `user${String(next++ % SIGN_IN_USERS).padStart(6, '0')}`;
  const signIn = async () => {
    if (kind === 'password') {
      const r = await call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username(), PASSWORD } });
      return r.body.AuthenticationResult ? undefined : r.body;
    }
    const keys = srp.next();
    const init = await call('InitiateAuth', {
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username(), SRP_A: keys.A.toString(16) },
    });
    if (init.body.ChallengeName !== 'PASSWORD_VERIFIER') return init.body;
    const { timestamp, secretBlock, signature } = srp.claim(keys, init.body.ChallengeParameters);
    const r = await call('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: {
        USERNAME: init.body.ChallengeParameters.USERNAME,
        PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
        TIMESTAMP: timestamp,
        PASSWORD_CLAIM_SIGNATURE: signature,
      },
    });
    return r.body.AuthenticationResult ? undefined : r.body;
  };
  const run = async (durationMs) => {
    const end = Date.now() + durationMs;
    let done = 0;
    let failed;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const error = await signIn();
          if (error) failed ??= error;
          else done++;
        }
      }),
    );
    return { done, failed, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
  const warmup = await run(warmupSeconds * 1000);
  const cpu0 = process.cpuUsage();
  const { done, failed, seconds: elapsed } = await run(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const clientCpuMs = (cpu.user + cpu.system) / 1000 / done;
  process.stdout.write(JSON.stringify({ perSecond: done / elapsed, done, total: warmup.done + done, clientCpuMs, failed: failed ?? warmup.failed }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// Baselines: the server-side cryptography of one sign-in, in a loop, in this process.

/**
 * Runs `once` from `concurrency` async loops for `seconds`: completions per second, and CPU milliseconds
 * per completion (all threads of this process). The same concurrency as the load: the token signing
 * (WebCrypto) and scrypt run on libuv's thread pool, so concurrency lets them use both cores, as they do
 * in the cloud.
 */
async function loop(once, seconds, concurrency) {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await once();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: done / elapsed, done, seconds: elapsed, cpuMs: (cpu.user + cpu.system) / 1000 / done };
}

/**
 * Runs `a` and `b` by turns, `slice` seconds at a time, about `seconds` each, the order swapping every
 * turn, so that a change in the machine's speed during the run (other tenants of the host) weighs on both
 * alike. Each answers `{ done, seconds, cpuMs, clientCpuMs? }` (CPU per completion); the sums are returned.
 */
async function byTurns(a, b, seconds, slice) {
  const sums = [a, b].map(() => ({ done: 0, seconds: 0, cpuMs: 0, clientCpuMs: 0 }));
  const turns = Math.max(1, Math.round(seconds / slice));
  for (let turn = 0; turn < turns; turn++) {
    for (const i of turn % 2 === 0 ? [0, 1] : [1, 0]) {
      const r = await [a, b][i](slice);
      const sum = sums[i];
      sum.done += r.done;
      sum.seconds += r.seconds;
      sum.cpuMs += r.cpuMs * r.done;
      sum.clientCpuMs += (r.clientCpuMs ?? 0) * r.done;
    }
  }
  return sums.map((t) => ({ perSecond: t.done / t.seconds, cpuMs: t.cpuMs / t.done, clientCpuMs: t.clientCpuMs / t.done }));
}

async function cryptoBaselines() {
  const { generateKeyPair } = await import('jose');
  const { issueTokens } = await import(join(cognitoDist, 'tokens.js'));
  const { checkPassword, hashPassword } = await import(join(cognitoDist, 'password-hash.js'));
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const keys = { signingKey: async () => ({ kid: randomUUID(), key: privateKey }) };
  const poolName = 'BenchPool';
  const now = new Date().toISOString();
  const user = {
    poolId: `us-east-1_${poolName}`,
    username: 'user000000',
    sub: randomUUID(),
    status: 'CONFIRMED',
    enabled: true,
    attributes: { email: 'user000000@example.com', email_verified: 'true' },
    srpSalt: undefined,
    srpVerifier: undefined,
    passwordHash: await hashPassword(PASSWORD),
    mfa: { smsEnabled: false, totpEnabled: false },
    totpSecret: undefined,
    createdAt: now,
    updatedAt: now,
  };
  const { salt, verifier } = createVerifier(poolName, user.username, PASSWORD);
  const tokens = () =>
    issueTokens({ keys, issuer: `http://127.0.0.1:1/${user.poolId}`, clientId: 'c'.repeat(26), user, groups: [], originJti: randomUUID(), authTime: 0 });
  const client = srpClient(poolName);
  const secretBlock = randomBytes(96).toString('base64');
  const timestamp = srpTimestamp(new Date());

  // Proves the baseline does the work of a successful sign-in: a real client claim verifies.
  const ephemeral = client.next();
  const check = serverEphemeral(verifier);
  const claim = client.claim(ephemeral, { SALT: salt, SRP_B: check.B.toString(16), SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: user.username });
  const claimOk = verifyPasswordClaim({
    A: ephemeral.A,
    ...check,
    verifierHex: verifier,
    poolName,
    userIdForSrp: user.username,
    secretBlock,
    timestamp: claim.timestamp,
    signature: claim.signature,
  });
  if (!claimOk) throw new Error('the SRP baseline does not verify a real client claim: the bench and srp-math disagree');
  if (!(await checkPassword(PASSWORD, user.passwordHash))) throw new Error('the password baseline does not verify the password');

  // In the loop the claim is a random 32-byte signature: verifying it costs exactly what a real one does
  // (the same modexps and HKDF; only the final comparison differs), without client maths in the loop.
  const signature = randomBytes(32).toString('base64');
  return {
    /** InitiateAuth's server ephemeral, RespondToAuthChallenge's claim check, ID + access token. */
    srp: () => {
      const { b, B } = serverEphemeral(verifier);
      verifyPasswordClaim({ A: client.next().A, b, B, verifierHex: verifier, poolName, userIdForSrp: user.username, secretBlock, timestamp, signature });
      return tokens();
    },
    /** The scrypt verify of USER_PASSWORD_AUTH, ID + access token. */
    password: async () => {
      await checkPassword(PASSWORD, user.passwordHash);
      await tokens();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The cloud: a data folder with a pool of USERS users, started as its own process.

/**
 * Creates the pool, its app client and the users through the cloud's own code from dist (the resource
 * handlers and the user store, in one transaction), in this process, before the cloud under test starts.
 * The first SIGN_IN_USERS users each get their own SRP salt and verifier; the others share the
 * verifier and scrypt hash of one of them (same sizes; 100,000 scrypt hashes would take two hours).
 */
async function populate(dataDir, users) {
  const { createCloud } = await import(join(cloudDist, 'server.js'));
  const { createUserStore } = await import(join(cognitoDist, 'user-store.js'));
  const { hashPassword } = await import(join(cognitoDist, 'password-hash.js'));
  const { AUTH_RESOURCE_TYPES } = await import(join(root, 'packages/protocol/dist/index.js'));
  const cloud = await createCloud({ dataDir, port: 0, logLevel: 'warn' });
  try {
    const ctx = {
      appId: 'bench',
      appSlug: 'bench',
      envName: 'dev',
      stackName: 'bench',
      logicalId: 'UserPool',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Bench' }, ctx);
    const client = await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)
      .create(
        { UserPoolId: pool.physicalId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        { ...ctx, logicalId: 'Client' },
      );
    const poolName = pool.physicalId.split('_')[1];
    const passwordHash = await hashPassword(PASSWORD);
    let shared;
    await cloud.kernel.sql.transaction(async (tx) => {
      const store = createUserStore(tx);
      for (let i = 0; i < users; i++) {
        const username = `user${String(i).padStart(6, '0')}`;
        const srp = i < SIGN_IN_USERS || !shared ? createVerifier(poolName, username, PASSWORD) : shared;
        shared ??= srp;
        const now = new Date().toISOString();
        const inserted = await store.insertIfFree(
          {
            poolId: pool.physicalId,
            username,
            sub: randomUUID(),
            status: 'CONFIRMED',
            enabled: true,
            attributes: { email: `${username}@example.com`, email_verified: 'true' },
            srpSalt: srp.salt,
            srpVerifier: srp.verifier,
            passwordHash,
            mfa: { smsEnabled: false, totpEnabled: false },
            totpSecret: undefined,
            createdAt: now,
            updatedAt: now,
          },
          'email',
        );
        if (!inserted) throw new Error(`user ${username} already exists: populate a fresh data folder`);
      }
    });
    return { poolId: pool.physicalId, poolName, clientId: client.physicalId };
  } finally {
    await cloud.close();
  }
}

/** CPU milliseconds a process has used so far (all threads), from /proc (Linux; clock ticks of 10 ms). */
function cpuMsOf(pid) {
  return readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ')
    .slice(11, 13)
    .reduce((sum, ticks) => sum + Number(ticks) * 10, 0);
}

async function startCloud(dataDir, nodeArgs = []) {
  const child = spawn(process.execPath, [...cloudNodeArgs(), ...nodeArgs, cloudBin, '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the cloud exited ${code} before listening`)));
  });
  return {
    url,
    cpuMs: () => cpuMsOf(child.pid),
    /** Resident set size, from /proc (Linux). */
    rssMiB: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r()));
    },
  };
}

/** Runs the load driver in its own process: sign-ins per second, and the cloud's and the driver's CPU milliseconds per sign-in. */
function runLoad(cloud, options) {
  const cpu0 = cloud.cpuMs();
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--load', JSON.stringify(options)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`the load driver exited ${r.status}`);
  const result = JSON.parse(r.stdout);
  if (result.failed) throw new Error(`a ${options.kind} sign-in failed: ${JSON.stringify(result.failed)}`);
  return {
    perSecond: result.perSecond,
    done: result.done,
    seconds: result.done / result.perSecond,
    cpuMs: (cloud.cpuMs() - cpu0) / result.total,
    clientCpuMs: result.clientCpuMs,
  };
}

/**
 * A bare node:http server in its own process: parses the JSON body and answers `bodySize` bytes of JSON
 * echoing it. With `jwksUrl`, it first verifies the body's AccessToken with jose against that JWKS, as
 * the cloud's token check does: the floor that the cryptography alone puts under GetUser.
 */
async function startEcho(headers, bodySize, jwksUrl) {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { createServer } from 'node:http';
    import { createLocalJWKSet, jwtVerify } from 'jose';
    const [headers, size, jwksUrl] = [JSON.parse(process.argv[1]), Number(process.argv[2]), process.argv[3]];
    const keys = jwksUrl ? createLocalJWKSet(await (await fetch(jwksUrl)).json()) : undefined;
    const empty = JSON.stringify({ echo: '' }).length;
    createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', async () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (keys) await jwtVerify(input.AccessToken, keys, { algorithms: ['RS256'] });
        const body = JSON.stringify({ echo: input.AccessToken.slice(0, size - empty).padEnd(size - empty, '.') });
        res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
  `,
      JSON.stringify(headers),
      String(bodySize),
      jwksUrl ?? '',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}`, cpuMs: () => cpuMsOf(child.pid), stop: () => child.kill() };
}

async function main() {
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  // BENCH_ONLY=getuser: only the GetUser and echo throughput (for profiling the token check).
  const onlyGetUser = process.env.BENCH_ONLY === 'getuser';
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
  const USERS = Number(process.env.BENCH_USERS ?? 100_000);
  const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const WRK_CONNECTIONS = 50;
  const hasWrk = !spawnSync('wrk', ['--version']).error;
  const work = mkdtempSync(join(tmpdir(), 'forte-bench-auth-'));
  const results = [];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const record = (name, value, unit, target, note = '') => {
    results.push({ name, value, unit, target, note });
    const shown =
      unit === 'ratio'
        ? value.toFixed(2)
        : unit === 'MiB'
          ? `${value.toFixed(1)} MiB`
          : unit === 'load'
            ? value.toFixed(1)
            : `${value.toFixed(unit === 's' || unit === 'ms' ? 1 : 0)} ${unit}`;
    console.log(`${name}: ${shown}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
  };
  const clouds = [];
  const echoes = [];
  try {
    const dataDir = join(work, 'cloud');
    const t0 = process.hrtime.bigint();
    const { poolId, poolName, clientId } = await populate(dataDir, USERS);
    record(`setup: pool with ${USERS} users through the user store`, Number(process.hrtime.bigint() - t0) / 1e9, 's');
    const dbBytes = ['forte.db', 'forte.db-wal'].reduce((sum, f) => {
      try {
        return sum + statSync(join(dataDir, f)).size;
      } catch {
        return sum;
      }
    }, 0);
    record(`forte.db with ${USERS} users`, dbBytes / 2 ** 20, 'MiB');

    // Memory: an empty cloud beside the populated one, each started fresh.
    const { CognitoIdentityProviderClient, ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
    const memory = { empty: [], start: [], after: [] };
    for (let run = 0; run < (onlyGetUser ? 0 : RUNS); run++) {
      const emptyDir = join(work, `empty${run}`);
      const empty = await startCloud(emptyDir);
      clouds.push(empty);
      await (await fetch(`${empty.url}/_forte/health`)).text();
      memory.empty.push(empty.rssMiB());
      await empty.stop();
      rmSync(emptyDir, { recursive: true, force: true });

      const cloud = await startCloud(dataDir);
      clouds.push(cloud);
      await (await fetch(`${cloud.url}/_forte/health`)).text();
      memory.start.push(cloud.rssMiB());
      const call = caller(cloud.url, 1);
      const signIn = await call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'user000000', PASSWORD } });
      if (!signIn.body.AuthenticationResult) throw new Error(`sign-in failed: ${JSON.stringify(signIn.body)}`);
      const admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, credentials, maxAttempts: 1 });
      const page = await admin.send(new ListUsersCommand({ UserPoolId: poolId }));
      admin.destroy();
      if (page.Users?.length !== Math.min(60, USERS)) throw new Error(`ListUsers answered ${page.Users?.length} users`);
      memory.after.push(cloud.rssMiB());
      await cloud.stop();
    }
    if (!onlyGetUser) {
      record('RSS of an empty cloud after start', median(memory.empty), 'MiB');
      record(`RSS with ${USERS} users, after start`, median(memory.start), 'MiB');
      record(`RSS with ${USERS} users, after a sign-in and a ListUsers page`, median(memory.after), 'MiB');
    }

    // Throughput, each measure beside its baseline in the same run.
    // BENCH_PROFILE=DIR: the cloud under load writes a V8 CPU profile to DIR when it stops.
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const cloud = await startCloud(dataDir, profile);
    clouds.push(cloud);
    const baselines = await cryptoBaselines();
    const load = (kind, seconds) => runLoad(cloud, { kind, url: cloud.url, clientId, poolName, seconds, concurrency: CONCURRENCY, warmupSeconds: 0.5 });
    const SLICE = 2;
    const token = (
      await caller(cloud.url, 1)('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'user000001', PASSWORD } })
    ).body.AuthenticationResult.AccessToken;
    const getUser = await new Promise((resolve, reject) => {
      const body = JSON.stringify({ AccessToken: token });
      request(
        `${cloud.url}/cognito-idp/`,
        { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}GetUser` } },
        (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      )
        .on('error', reject)
        .end(body);
    });
    if (getUser.status !== 200) throw new Error(`GetUser answered ${getUser.status}: ${getUser.body}`);
    const { connection: _c, 'keep-alive': _k, date: _d, 'content-length': _l, ...getUserHeaders } = getUser.headers;
    const echo = hasWrk ? await startEcho(getUserHeaders, getUser.body.length) : undefined;
    const verifyingEcho = hasWrk ? await startEcho(getUserHeaders, getUser.body.length, `${cloud.url}/${poolId}/.well-known/jwks.json`) : undefined;
    echoes.push(...[echo, verifyingEcho].filter(Boolean));
    const script = join(work, 'get-user.lua');
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = '${JSON.stringify({ AccessToken: token })}'\nwrk.headers["Content-Type"] = "application/x-amz-json-1.1"\nwrk.headers["X-Amz-Target"] = "${TARGET}GetUser"\n`,
    );
    // Requests per second, and the server's CPU microseconds per request (all its threads, from /proc):
    // unlike the rate, the CPU per request hardly depends on what else is using the cores. The servers
    // take turns in 1-second slices (the order alternating), so a change in the machine's speed during
    // the run (other tenants of the host) weighs on each of them alike.
    const wrkSlice = (server) => {
      const cpu0 = server.cpuMs();
      const r = spawnSync('wrk', ['-t1', `-c${WRK_CONNECTIONS}`, '-d1s', '-s', script, `${server.url}/cognito-idp/`], { encoding: 'utf8' });
      if (/Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors:\n${r.stdout}`);
      const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(r.stdout);
      if (!m) throw new Error(`wrk printed no request count:\n${r.stdout}${r.stderr}`);
      return { requests: Number(m[1]), seconds: Number(m[2]) / (m[3] === 'ms' ? 1000 : 1), cpuMs: server.cpuMs() - cpu0 };
    };
    const wrkTurns = (servers) => {
      const sums = servers.map(() => ({ requests: 0, seconds: 0, cpuMs: 0 }));
      for (let slice = 0; slice < SECONDS; slice++) {
        const order = servers.map((_, i) => i);
        if (slice % 2 === 1) order.reverse();
        for (const i of order) {
          const r = wrkSlice(servers[i]);
          sums[i].requests += r.requests;
          sums[i].seconds += r.seconds;
          sums[i].cpuMs += r.cpuMs;
        }
      }
      return sums.map((t) => ({ perSecond: t.requests / t.seconds, cpuUs: (t.cpuMs * 1000) / t.requests }));
    };

    const rows = {
      srpBase: [],
      srp: [],
      srpRatio: [],
      srpCpu: [],
      srpClientCpu: [],
      pwBase: [],
      pw: [],
      pwRatio: [],
      pwCpu: [],
      echo: [],
      verifyingEcho: [],
      getUser: [],
      getUserRatio: [],
      echoCpu: [],
      getUserCpu: [],
      load: [],
    };
    for (let run = 0; run < RUNS; run++) {
      const skipped = { perSecond: NaN, cpuMs: NaN, clientCpuMs: NaN };
      const [srpBase, srp] = onlyGetUser
        ? [skipped, skipped]
        : await byTurns(
            (t) => loop(baselines.srp, t, CONCURRENCY),
            (t) => load('srp', t),
            SECONDS,
            SLICE,
          );
      const [pwBase, pw] = onlyGetUser
        ? [skipped, skipped]
        : await byTurns(
            (t) => loop(baselines.password, t, CONCURRENCY),
            (t) => load('password', t),
            SECONDS,
            SLICE,
          );
      rows.srpBase.push(srpBase.perSecond);
      rows.srp.push(srp.perSecond);
      rows.srpRatio.push(srp.perSecond / srpBase.perSecond);
      rows.srpCpu.push(srpBase.cpuMs / srp.cpuMs);
      rows.pwBase.push(pwBase.perSecond);
      rows.pw.push(pw.perSecond);
      rows.pwRatio.push(pw.perSecond / pwBase.perSecond);
      rows.pwCpu.push(pwBase.cpuMs / pw.cpuMs);
      if (echo) {
        const [echoRun, getUserRun, verifyingRun] = wrkTurns([echo, cloud, verifyingEcho]);
        rows.echo.push(echoRun.perSecond);
        rows.getUser.push(getUserRun.perSecond);
        rows.getUserRatio.push(getUserRun.perSecond / echoRun.perSecond);
        rows.echoCpu.push(echoRun.cpuUs);
        rows.getUserCpu.push(getUserRun.cpuUs);
        rows.verifyingEcho.push(verifyingRun.perSecond);
      }
      rows.srpClientCpu.push(srp.clientCpuMs);
      // The machine's 1-minute load average after the run: the figures are only comparable at a similar load.
      rows.load.push(loadavg()[0]);
      console.log(
        `run ${run + 1} (load ${rows.load.at(-1).toFixed(1)}): srp ${srp.perSecond.toFixed(0)}/${srpBase.perSecond.toFixed(0)} per s, ${srp.cpuMs.toFixed(1)}/${srpBase.cpuMs.toFixed(1)} CPU ms (client ${srp.clientCpuMs.toFixed(1)}); ` +
          `password ${pw.perSecond.toFixed(1)}/${pwBase.perSecond.toFixed(1)} per s, ${pw.cpuMs.toFixed(1)}/${pwBase.cpuMs.toFixed(1)} CPU ms` +
          `${echo ? `; GetUser ${rows.getUser.at(-1).toFixed(0)}/${rows.echo.at(-1).toFixed(0)} req/s, ${rows.getUserCpu.at(-1).toFixed(0)}/${rows.echoCpu.at(-1).toFixed(0)} CPU µs per request (verifying echo ${rows.verifyingEcho.at(-1).toFixed(0)})` : ''}`,
      );
    }
    record('1-minute load average after each run', median(rows.load), 'load', '', `(${rows.load.map((l) => l.toFixed(1)).join(', ')})`);
    if (!onlyGetUser) {
      record('SRP server cryptography in a loop (sign-ins/s)', median(rows.srpBase), '/s');
      record('SRP sign-ins through the cloud (sign-ins/s)', median(rows.srp), '/s');
      record(
        'SRP cloud / cryptography',
        median(rows.srpRatio),
        'ratio',
        '≥ 0.70',
        `(concurrency ${CONCURRENCY}, ${SLICE}-second turns, median of per-run ratios)`,
      );
      record('SRP cryptography CPU / cloud CPU per sign-in', median(rows.srpCpu), 'ratio', '', "(share of the cloud's CPU that is the cryptography)");
      record('load driver CPU per SRP sign-in (client maths, HTTP)', median(rows.srpClientCpu), 'ms');
      record('scrypt verify + tokens in a loop (sign-ins/s)', median(rows.pwBase), '/s');
      record('USER_PASSWORD_AUTH sign-ins through the cloud (sign-ins/s)', median(rows.pw), '/s');
      record(
        'USER_PASSWORD_AUTH cloud / cryptography',
        median(rows.pwRatio),
        'ratio',
        '≥ 0.70',
        `(concurrency ${CONCURRENCY}, ${SLICE}-second turns, median of per-run ratios)`,
      );
      record('USER_PASSWORD_AUTH cryptography CPU / cloud CPU per sign-in', median(rows.pwCpu), 'ratio');
    }
    if (echo) {
      record('bare node:http JSON echo (req/s)', median(rows.echo), 'req/s');
      record('bare node:http JSON echo verifying the token with jose (req/s)', median(rows.verifyingEcho), 'req/s');
      record('GetUser (req/s)', median(rows.getUser), 'req/s');
      record(
        'GetUser / echo',
        median(rows.getUserRatio),
        'ratio',
        '≥ 0.60',
        `(${getUser.body.length}-byte answer, wrk -t1 -c${WRK_CONNECTIONS}, ${SECONDS} 1-second turns each)`,
      );
      record('bare node:http JSON echo, CPU per request', median(rows.echoCpu), 'µs');
      record('GetUser, cloud CPU per request', median(rows.getUserCpu), 'µs');
    } else {
      console.log('GetUser throughput: skipped (install wrk: apt-get install -y wrk)');
    }
  } finally {
    for (const echo of echoes) echo.stop();
    for (const cloud of clouds) await cloud.stop();
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/auth-latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
    rmSync(work, { recursive: true, force: true });
  }
}
