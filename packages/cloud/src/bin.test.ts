import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError, readCloudSettings } from './config-file.js';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-bin-'));
  dirs.push(dir);
  return dir;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForLine(r: Run, pattern: RegExp): Promise<RegExpExecArray> {
  // Generous: on a loaded 2-core CI machine, starting Node and the cloud can take seconds.
  for (let i = 0; i < 800; i++) {
    const m = pattern.exec(r.stdout());
    if (m) return m;
    if (r.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no line ${pattern} (stdout: ${r.stdout()} stderr: ${r.stderr()})`);
}

void describe('forte-cloud bin', () => {
  void it('starts, writes cloud.json, refuses a second start, and cleans up on SIGTERM', async () => {
    const dataDir = await tempDir();
    const started = Date.now();
    const first = run(['--port', '0', '--data-dir', dataDir]);
    const url = (await waitForLine(first, /^Forte Cloud listening on (http:\/\/127\.0\.0\.1:\d+)$/m))[1]!;
    const health = await fetch(`${url}/_forte/health`);
    assert.equal(health.status, 200);
    console.log(`cold start to first answered request: ${Date.now() - started} ms (includes node startup)`);

    const runtimeFile = join(dataDir, 'cloud.json');
    assert.equal(statSync(runtimeFile).mode & 0o777, 0o600);
    const info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as Record<string, unknown>;
    assert.equal(info.pid, first.child.pid);
    assert.equal(info.url, url);
    assert.equal(info.port, Number(new URL(url).port));
    // HTTPS beside it by default (a free port, as --port 0 asked), named in the runtime file.
    const httpsUrl = (await waitForLine(first, /^HTTPS \(the hosted UI\) on (https:\/\/127\.0\.0\.1:\d+)$/m))[1]!;
    assert.equal(info.httpsUrl, httpsUrl);
    assert.equal(typeof info.startedAt, 'string');
    assert.equal(typeof info.version, 'string');

    const second = run(['--port', '0', '--data-dir', dataDir]);
    assert.equal(await second.exited, 1);
    assert.equal(second.stderr().trim(), `Forte Cloud is already running at ${url} (pid ${first.child.pid}): stop it with \`forte cloud stop\`.`);

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(existsSync(runtimeFile), false);
    const log = readFileSync(join(dataDir, 'logs', 'cloud.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; path?: string });
    assert.ok(log.some((l) => l.msg === 'request' && l.path === '/_forte/health'));
  });

  void it('ignores a stale cloud.json whose process is gone', async () => {
    const dataDir = await tempDir();
    const first = run(['--port', '0', '--data-dir', dataDir]);
    await waitForLine(first, /listening on/);
    first.child.kill('SIGKILL'); // leaves cloud.json behind
    await first.exited;
    const again = run(['--port', '0', '--data-dir', dataDir]);
    await waitForLine(again, /listening on/);
    again.child.kill('SIGINT');
    assert.equal(await again.exited, 0);
  });

  void it('says in one line that a port is in use, and exits 1', async () => {
    const holder = run(['--port', '0', '--data-dir', await tempDir()]);
    const port = (await waitForLine(holder, /listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
    const clash = run(['--port', port, '--data-dir', await tempDir()]);
    assert.equal(await clash.exited, 1);
    assert.equal(clash.stderr().trim().split('\n').length, 1);
    assert.match(clash.stderr(), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    holder.child.kill('SIGTERM');
    await holder.exited;
  });

  void it('defaults the data dir to $FORTE_HOME/cloud and rejects unknown options', async () => {
    const home = await tempDir();
    const r = run(['--port', '0'], { FORTE_HOME: home });
    await waitForLine(r, /listening on/);
    assert.ok(existsSync(join(home, 'cloud', 'cloud.json')));
    assert.ok(existsSync(join(home, 'cloud', 'admin-credentials.json')));
    r.child.kill('SIGTERM');
    await r.exited;
    const bad = run(['--frobnicate']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /Unknown option --frobnicate/);
  });

  void it('refuses a wrong config.json in one line naming the file and the field, never quoting the password', async () => {
    const cases: Array<{ config: string; env?: Record<string, string>; message: RegExp }> = [
      { config: '{ "smtp": { "url": "smtp://u:hunter2@mail.example.com", }', message: /config\.json is not valid JSON/ },
      { config: '{ "smtp": { "url": 587, "from": "a@example.com" } }', message: /config\.json: smtp\.url must be a string\./ },
      { config: '{ "smtp": { "url": "smtp://u:hunter2@mail.example.com", "form": "a@example.com" } }', message: /config\.json: unknown field smtp\.form/ },
      {
        config: '{ "smtp": { "url": "http://u:hunter2@mail.example.com", "from": "a@example.com" } }',
        message: /config\.json: smtp\.url must start with smtp:\/\/ or smtps:\/\/, not http:\/\//,
      },
      {
        config: '{ "smtp": { "url": "smtp://u:hunter2@mail.example.com" } }',
        message: /needs a From address: set smtp\.from in .*config\.json or FORTE_SMTP_FROM/,
      },
      { config: '{ "smtp": { "url": "smtp://u:hunter2@mail.example.com", "from": "nobody" } }', message: /config\.json: smtp\.from must be an email address/ },
      { config: '{}', env: { FORTE_SMTP_URL: 'hunter2', FORTE_SMTP_FROM: 'a@example.com' }, message: /^FORTE_SMTP_URL is not a URL/ },
      { config: '{ "graphql": { "maxQueryDepth": 0 } }', message: /config\.json: graphql\.maxQueryDepth/ },
      { config: '{ "graphql": { "maxDepth": 5 } }', message: /config\.json: unknown field graphql\.maxDepth/ },
    ];
    await Promise.all(
      cases.map(async ({ config, env, message }) => {
        const dataDir = await tempDir();
        writeFileSync(join(dataDir, 'config.json'), config);
        const r = run(['--port', '0', '--data-dir', dataDir], { FORTE_SMTP_URL: '', FORTE_SMTP_FROM: '', ...env });
        assert.equal(await r.exited, 1, r.stderr());
        assert.equal(r.stderr().trim().split('\n').length, 1, r.stderr());
        assert.match(r.stderr(), message);
        assert.ok(r.stderr().includes(join(dataDir, 'config.json')) || env !== undefined, r.stderr());
        assert.ok(!r.stderr().includes('hunter2'), r.stderr());
      }),
    );
  });

  void it('serves no HTTPS when config.json says "httpsPort": "off", and --https-port wins over it', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ httpsPort: 'off' }));
    const off = run(['--port', '0', '--data-dir', dataDir]);
    await waitForLine(off, /^Forte Cloud listening on/m);
    const info = JSON.parse(readFileSync(join(dataDir, 'cloud.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(info.httpsUrl, undefined);
    assert.ok(!existsSync(join(dataDir, 'tls')), 'no certificate made');
    off.child.kill('SIGTERM');
    await once(off.child, 'exit');
    const on = run(['--port', '0', '--https-port', '0', '--data-dir', dataDir]);
    await waitForLine(on, /^HTTPS \(the hosted UI\) on https:/m);
    on.child.kill('SIGTERM');
    await once(on.child, 'exit');
  });

  void it('takes the bus from --bus, FORTE_BUS or config.json, and refuses one it cannot reach, never printing its password', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ bus: 'nats://from-file:4222' }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { bus: 'nats://from-file:4222' });
    assert.deepEqual(readCloudSettings(dataDir, { FORTE_BUS: 'nats://from-env:4222' }), { bus: 'nats://from-env:4222' });
    // Port 9 (discard) on loopback: no bus there. The flag wins over the file's (unreachable too, elsewhere).
    const refused = run(['--port', '0', '--data-dir', dataDir, '--bus', 'nats://u:hunter2@127.0.0.1:9'], { FORTE_BUS: '' });
    assert.equal(await refused.exited, 1, refused.stderr());
    assert.match(refused.stderr(), /^Forte Cloud could not start: Cannot reach the bus at nats:\/\/u:\*\*\*@127\.0\.0\.1:9/);
    assert.ok(!refused.stderr().includes('hunter2'), refused.stderr());
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ bus: 'redis://127.0.0.1:6379' }));
    const wrong = run(['--port', '0', '--data-dir', dataDir], { FORTE_BUS: '' });
    assert.equal(await wrong.exited, 1, wrong.stderr());
    assert.match(wrong.stderr(), /The bus URL must start with nats:\/\/ or tls:\/\//);
  });

  void it('takes the public URL of a cluster from --public-url, FORTE_PUBLIC_URL or config.json, and refuses one with a path', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ publicUrl: 'https://file.example.com' }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { publicUrl: 'https://file.example.com' });
    assert.deepEqual(readCloudSettings(dataDir, { FORTE_PUBLIC_URL: 'http://env.example.com:8080/' }), { publicUrl: 'http://env.example.com:8080/' });
    assert.throws(() => readCloudSettings(dataDir, { FORTE_PUBLIC_URL: 'https://env.example.com/forte' }), ConfigError);
    const refused = run(['--port', '0', '--data-dir', dataDir, '--public-url', 'forte.example.com']);
    assert.equal(await refused.exited, 2, refused.stderr());
    assert.match(refused.stderr(), /--public-url must be the cluster's base URL/);
  });

  void it('takes trusted proxies from --trusted-proxies, FORTE_TRUSTED_PROXIES or config.json, and refuses what is not an address or CIDR block, naming it', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ trustedProxies: ['10.0.0.0/8', 'fd00::/8'] }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { trustedProxies: ['10.0.0.0/8', 'fd00::/8'] });
    assert.deepEqual(readCloudSettings(dataDir, { FORTE_TRUSTED_PROXIES: ' 172.18.0.2, 127.0.0.1 ' }), { trustedProxies: ['172.18.0.2', '127.0.0.1'] });
    assert.throws(
      () => readCloudSettings(dataDir, { FORTE_TRUSTED_PROXIES: '10.0.0.0/33' }),
      /^ConfigError: FORTE_TRUSTED_PROXIES: "10\.0\.0\.0\/33" has a prefix length other than 0 to 32: write an IP address or a CIDR block, like 10\.0\.0\.5, 10\.0\.0\.0\/8 or fd00::\/8 \(separate several with commas\)\.$/,
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ trustedProxies: ['10.0.0.0/8', 'haproxy'] }));
    assert.throws(
      () => readCloudSettings(dataDir, {}),
      /config\.json: trustedProxies: "haproxy" is not an IP address or a CIDR block, like .*"trustedProxies": \["10\.0\.0\.0\/8"\]/,
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ trustedProxies: '10.0.0.0/8' }));
    assert.throws(() => readCloudSettings(dataDir, {}), /trustedProxies must be an array/);
    const refused = run(['--port', '0', '--data-dir', dataDir, '--trusted-proxies', '127.0.0.1,10.0.0.0/40']);
    assert.equal(await refused.exited, 2, refused.stderr());
    assert.match(refused.stderr(), /^--trusted-proxies: "10\.0\.0\.0\/40" has a prefix length other than 0 to 32/);

    // Started with the flag (which wins over config.json's list), the access log names the client the proxy forwarded for.
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ trustedProxies: ['10.0.0.0/8'] }));
    const r = run(['--port', '0', '--data-dir', dataDir, '--trusted-proxies', '127.0.0.1'], { FORTE_TRUSTED_PROXIES: '' });
    const [, url] = await waitForLine(r, /listening on (http:\/\/\S+)/);
    const answer = await fetch(`${url}/_forte/health`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(answer.status, 200);
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0, r.stderr());
    const lines = readFileSync(join(dataDir, 'logs', 'cloud.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.find((line) => line.msg === 'listening')?.trustedProxies, '127.0.0.1');
    assert.equal(lines.find((line) => line.msg === 'request' && line.path === '/_forte/health')?.client, '203.0.113.9');
  });

  void it("reads the web console's section of config.json in hours and minutes, and refuses an unknown field", async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ console: { sessionHours: 2, loginLinkMinutes: 5, maxSignInFailures: 3 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { console: { sessionMs: 7_200_000, loginLinkMs: 300_000, maxSignInFailures: 3 } });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ console: { sessionMinutes: 5 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), ConfigError);
  });

  void it("reads the request log's section of config.json in hours and rows, and refuses what is out of range or unknown", async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ requestLog: { keepHours: 2, maxRows: 5000 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { requestLog: { keepMs: 7_200_000, maxRows: 5000 } });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ requestLog: { keepHours: 0 } }));
    assert.throws(
      () => readCloudSettings(dataDir, {}),
      (error: Error) => error instanceof ConfigError && /config\.json: requestLog\.keepHours/.test(error.message),
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ requestLog: { maxRows: 1.5 } }));
    assert.throws(
      () => readCloudSettings(dataDir, {}),
      (error: Error) => error instanceof ConfigError && /requestLog\.maxRows/.test(error.message),
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ requestLog: { keepDays: 1 } }));
    assert.throws(
      () => readCloudSettings(dataDir, {}),
      (error: Error) => error instanceof ConfigError && /unknown field requestLog\.keepDays/.test(error.message),
    );
  });

  void it('reads the GraphQL request limits of config.json, each one optional', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ graphql: { maxQueryDepth: 6 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { graphqlLimits: { maxQueryDepth: 6 } });
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({ graphql: { maxQueryBytes: 4096, maxQueryDepth: 8 }, smtp: { url: 'smtp://mail.example.com', from: 'a@example.com' } }),
    );
    assert.deepEqual(readCloudSettings(dataDir, {}).graphqlLimits, { maxQueryBytes: 4096, maxQueryDepth: 8 });
    const every = {
      maxQueryTokens: 20_000,
      maxQueryFields: 3000,
      maxFieldRepeats: 10,
      maxResolverCalls: 500,
      maxItemsRead: 50_000,
      maxResultFields: 100_000,
      maxFilterTerms: 100,
      maxFilterDepth: 8,
      maxSubscriptionsPerConnection: 20,
    };
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ graphql: every }));
    assert.deepEqual(readCloudSettings(dataDir, {}).graphqlLimits, every);
  });

  void it("reads config.json's endpoints of the social identity providers, and refuses an endpoint that is not an http(s) URL", async () => {
    const dataDir = await tempDir();
    const google = { authorize_url: 'https://idp.example/authorize', token_url: 'https://idp.example/token', oidc_issuer: 'https://idp.example' };
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ identityProviders: { Google: google } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { identityProviderEndpoints: { Google: google } });
    for (const bad of [{ Google: { token_url: 'ftp://idp.example/token' } }, { Okta: {} }, { Google: { client_secret: 'x' } }]) {
      writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ identityProviders: bad }));
      assert.throws(
        () => readCloudSettings(dataDir, {}),
        (error: Error) => error instanceof ConfigError && /identityProviders/.test(error.message),
      );
    }
  });

  void it('reads the user pool limits of config.json, each one optional, and refuses a limit of zero', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ cognito: { codeAttempts: { perUser: 3, lockSeconds: 60 }, mailbox: { perRecipient: 10 } } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { cognitoLimits: { codeAttempts: { perUser: 3, lockSeconds: 60 }, mailbox: { perRecipient: 10 } } });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ cognito: { signUps: { perAddress: 0 } } }));
    assert.throws(
      () => readCloudSettings(dataDir, {}),
      (error: Error) => error instanceof ConfigError && /config\.json: cognito\.signUps\.perAddress/.test(error.message),
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ cognito: { codeAttempts: { perIp: 5 } } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /unknown field cognito\.codeAttempts\.perIp/);
  });

  void it('reads the connection limits of config.json, each one optional, and refuses out-of-range ones', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ connections: { maxPendingConnectionsPerAddress: 16, headersTimeoutMs: 5000 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { connectionLimits: { maxPendingConnectionsPerAddress: 16, headersTimeoutMs: 5000 } });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ connections: { headersTimeoutMs: 10 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /connections\.headersTimeoutMs/);
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ connections: { keepAliveTimeoutMs: 120_000, maxIdleConnectionsPerAddress: 0 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { connectionLimits: { keepAliveTimeoutMs: 120_000, maxIdleConnectionsPerAddress: 0 } });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ connections: { keepAliveTimeoutMs: 0 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /connections\.keepAliveTimeoutMs/);
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ connections: { maxSockets: 10 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /unknown field connections\.maxSockets/);
  });

  void it('reads how long copies of deleted data are kept from config.json, in days', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ deletedData: { retentionDays: 30 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { deletedDataRetentionMs: 30 * 86_400_000 });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ deletedData: { retentionDays: 0 } }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { deletedDataRetentionMs: 0 });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ deletedData: { retentionDays: -1 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /deletedData\.retentionDays/);
  });

  void it("reads the lambda service's settings from config.json", async () => {
    const dataDir = await tempDir();
    const lambda = {
      concurrencyLimit: 5,
      idleSeconds: 10,
      logRetentionDays: 7,
      cacheDir: '/var/cache/forte',
      allowDownloads: false,
      eventRetryDelaysSeconds: [1, 2],
    };
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ lambda }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { lambda });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ lambda: { concurrencyLimit: 0 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /lambda\.concurrencyLimit/);
  });

  void it("reads the dynamodb service's TTL sweep settings from config.json", async () => {
    const dataDir = await tempDir();
    const dynamodb = { ttlSweepIntervalMs: 1000, ttlSweepItems: 500 };
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ dynamodb }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { dynamodb });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ dynamodb: { ttlSweepItems: 0 } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /dynamodb\.ttlSweepItems/);
  });

  void it("reads where @http fields may call from config.json's appsync section", async () => {
    const dataDir = await tempDir();
    const appsync = { http: { timeoutMs: 2000, maxResponseBytes: 65536, default: 'deny', allowHosts: ['api.example.com', '*.trusted.test'], denyHosts: [] } };
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ appsync }));
    assert.deepEqual(readCloudSettings(dataDir, {}), { appsync });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ appsync: { http: { default: 'maybe' } } }));
    assert.throws(() => readCloudSettings(dataDir, {}), /appsync\.http\.default/);
  });

  void it('sends email through the SMTP server of config.json, the environment winning', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ smtp: { url: 'smtps://u:hunter2@file.example.com', from: 'Forte <no-reply@example.com>' } }));
    const r = run(['--port', '0', '--data-dir', dataDir], { FORTE_SMTP_URL: 'smtp://u:hunter2@env.example.com:2525', FORTE_SMTP_FROM: '' });
    await waitForLine(r, /listening on/);
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    const log = readFileSync(join(dataDir, 'logs', 'cloud.log'), 'utf8');
    const listening = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.msg === 'listening');
    assert.equal(listening?.smtpServer, 'smtp://env.example.com:2525');
    assert.equal(listening?.mailFrom, 'Forte <no-reply@example.com>');
    assert.ok(!log.includes('hunter2'), 'the SMTP password is never logged');
  });
});
