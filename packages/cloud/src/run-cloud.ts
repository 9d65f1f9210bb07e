import { createWriteStream, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CODE_CACHE_HOOK } from '@forte/protocol/run-with-code-cache';
import { ConfigError, readCloudSettings, splitTrustedProxies, type CloudSettings } from './config-file.js';
import { blobStoreSpecProblem } from './engines/open-blob-store.js';
import { createBatchedLogStream } from './kernel/batched-log-stream.js';
import { SECRET_KEY_VARIABLE } from './kernel/secret-key.js';
import { trustedProxyProblem } from './kernel/trusted-proxies.js';
import { CLOUD_VERSION } from './kernel/version.js';
import { CopyDataError, DEFAULT_PORT, PortInUseError, copyBlobsTo, copyDataToDatabase, createCloud } from './server.js';

/** `<dataDir>/cloud.json`: how the CLI finds a running cloud (`forte cloud status|stop`). */
const RUNTIME_FILE = 'cloud.json';

/** The HTTPS port's default distance from the HTTP port: 20443 beside 20002. */
const HTTPS_PORT_OFFSET = 441;

const USAGE = `Usage: forte-cloud [--port ${DEFAULT_PORT}] [--https-port PORT|off] [--host 127.0.0.1] [--data-dir DIR] [--database URL] [--blobs s3://BUCKET/PREFIX?...] [--bus nats://HOST:4222] [--public-url URL]
       [--trusted-proxies ADDRESS,CIDR,...]

Starts Forte Cloud. DIR defaults to $FORTE_HOME/cloud (FORTE_HOME defaults to ~/.forte).

HTTPS (for the hosted UI: aws-amplify reaches OAuth domains with https://) is served on --https-port, by default
the HTTP port + ${HTTPS_PORT_OFFSET} (${DEFAULT_PORT + HTTPS_PORT_OFFSET}), a free port with --port 0, none with --https-port off (or DIR/config.json
{"httpsPort": 20443 | "off"}), with
DIR/tls/cert.pem: a self-signed certificate made at the first start. Trust it once (see docs/architecture.md, "HTTPS").

Database: DIR/forte.db (SQLite) unless --database, DIR/config.json {"database": URL} or FORTE_DATABASE
name a PostgreSQL database: postgres://user:password@host:5432/database[?schema=forte&pool=10].
Instances that share one database also need the same FORTE_SECRET_KEY.

Moving to PostgreSQL: stop the cloud, then
  forte-cloud copy --data-dir DIR --to-database postgres://… [--to-blobs s3://…]
copies DIR/forte.db into that (empty) database (and DIR/blobs into that store); start the instances
with --database (and --blobs) and FORTE_SECRET_KEY set to the content of DIR/secret.key.

Behind a load balancer: every instance needs --public-url (FORTE_PUBLIC_URL, config.json "publicUrl"), the URL
clients reach the balancer at; /_forte/ready answers 503 once the cloud starts to stop; FORTE_DRAIN_SECONDS
(default 0) is how long it keeps answering before it stops listening and closes its WebSockets (requests under
way then get as long again to finish). Give every instance --trusted-proxies (FORTE_TRUSTED_PROXIES, config.json
"trustedProxies": ["10.0.0.0/8"]) with the balancer's addresses or CIDR blocks: the X-Forwarded-For they send
then names each client (sign-in limits, sourceIp, the access log), and their connections are not capped per
address. Only these peers' X-Forwarded-For is believed; the default is none.

Blobs (objects, site files, function code) are kept in DIR/blobs, or with --blobs (or FORTE_BLOBS, or
DIR/config.json {"blobs": ...}) in a bucket of S3 or an S3-compatible server:
s3://[KEY:SECRET@]BUCKET/PREFIX?endpoint=http://host:9000&region=us-east-1&forcePathStyle=true
(without KEY:SECRET, the AWS credential chain: AWS_ACCESS_KEY_ID..., AWS_PROFILE, ~/.aws).

Email delivery: DIR/config.json {"smtp": {"url": "smtp://user:password@host:587", "from": "no-reply@example.com"}}
or FORTE_SMTP_URL and FORTE_SMTP_FROM (these win). Without them, messages only go to the mailbox.

User pool limits: DIR/config.json {"cognito": {"codeAttempts": {"perUser": 5, "lockSeconds": 900}, ...}}
(see the cognito-idp README, "Limits").


Secrets in the database are sealed with DIR/secret.key (made at first start: back it up with forte.db)
or FORTE_SECRET_KEY (32 bytes in base64, for clouds that share one database).

Several instances on one database: --bus nats://HOST:4222 (or FORTE_BUS, or DIR/config.json {"bus": …})
carries realtime events and cache invalidations between them; one instance needs none. Behind one load
balancer, --public-url URL (or FORTE_PUBLIC_URL, or DIR/config.json {"publicUrl": …}) is its URL on every
instance, so tokens one issues are accepted by the others.

Slow clients: DIR/config.json {"connections": {"headersTimeoutMs": 20000, "requestTimeoutMs": 300000, "keepAliveTimeoutMs": 65000,
"maxPendingConnectionsPerAddress": 128, "maxIdleConnectionsPerAddress": 1024, "maxUnauthenticatedUpgradesPerAddress": 100, "realtimeInitTimeoutMs": 15000,
"maxQueuedRequests": 2048}}.`;

interface Args {
  port: number;
  /** undefined: the default (port + HTTPS_PORT_OFFSET); null: no HTTPS listener. */
  httpsPort?: number | null;
  host: string;
  dataDir: string;
  database?: string;
  bus?: string;
  publicUrl?: string;
  trustedProxies?: string[];
  blobs?: string;
}

function parseArgs(argv: string[]): Args {
  const home = process.env.FORTE_HOME || join(homedir(), '.forte');
  const args: Args = { port: DEFAULT_PORT, host: '127.0.0.1', dataDir: join(home, 'cloud') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') exit(`${name} needs a value.\n${USAGE}`, 2);
      return v;
    };
    switch (name) {
      case '--port': {
        const raw = value();
        const port = Number(raw);
        if (!/^\d+$/.test(raw) || port > 65535) exit(`--port must be a number from 0 to 65535, got "${raw}".`, 2);
        args.port = port;
        break;
      }
      case '--https-port': {
        const raw = value();
        const port = Number(raw);
        if (raw === 'off') args.httpsPort = null;
        else if (!/^\d+$/.test(raw) || port > 65535) exit(`--https-port must be a number from 0 to 65535 or off, got "${raw}".`, 2);
        else args.httpsPort = port;
        break;
      }
      case '--host':
        args.host = value();
        break;
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--database':
        args.database = value();
        break;
      case '--bus':
        args.bus = value();
        break;
      case '--public-url': {
        const raw = value();
        if (!/^https?:\/\/[^/?#\s]+\/?$/.test(raw))
          exit(`--public-url must be the cluster's base URL, like https://forte.example.com (no path), got "${raw}".`, 2);
        args.publicUrl = raw;
        break;
      }
      case '--trusted-proxies': {
        const entries = splitTrustedProxies(value());
        for (const entry of entries) {
          const problem = trustedProxyProblem(entry);
          if (problem) exit(`--trusted-proxies: ${problem} (separate several with commas).`, 2);
        }
        args.trustedProxies = entries;
        break;
      }
      case '--blobs': {
        const spec = value();
        const problem = blobStoreSpecProblem(spec);
        if (problem) exit(`--blobs: ${problem}.`, 2);
        args.blobs = spec;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      case '--version':
        console.log(CLOUD_VERSION);
        process.exit(0);
        break;
      default:
        exit(`Unknown option ${arg}.\n${USAGE}`, 2);
    }
  }
  return args;
}

/** FORTE_DRAIN_SECONDS: seconds the readiness check fails before a stopping cloud closes its connections. */
function drainSeconds(): number {
  const raw = process.env.FORTE_DRAIN_SECONDS;
  if (raw === undefined || raw === '') return 0;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) exit(`FORTE_DRAIN_SECONDS must be a number of seconds from 0 to 600, got "${raw}".`, 1);
  return seconds;
}

function exit(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

/** config.json and the environment; a wrong setting ends the process with a message naming it. */
function settingsOf(dataDir: string): CloudSettings {
  try {
    return readCloudSettings(dataDir, process.env);
  } catch (error) {
    if (error instanceof ConfigError) exit(error.message, 1);
    throw error;
  }
}

/**
 * The running cloud a runtime file names: its process is alive and its URL answers the health check with
 * the same instance id. A pid alone proves nothing: after a `kill -9` the pid may be a zombie (no init to
 * reap it in a container) or a new process's.
 */
async function runningCloud(file: string): Promise<{ pid: number; url: string } | undefined> {
  let info: { pid?: unknown; url?: unknown; instance?: unknown };
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as typeof info;
  } catch {
    return undefined;
  }
  if (typeof info.pid !== 'number' || info.pid === process.pid || typeof info.url !== 'string') return undefined;
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined; // stale: that process is gone
  }
  try {
    const res = await fetch(new URL('/_forte/health', info.url), { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { instance?: unknown };
    if (!res.ok || (info.instance !== undefined && body.instance !== info.instance)) return undefined;
  } catch {
    return undefined; // nothing answers there: the process is not that cloud any more
  }
  return { pid: info.pid, url: info.url };
}

/** `forte-cloud copy --data-dir DIR --to-database URL`: a stopped embedded cloud's data into PostgreSQL. */
async function copyCommand(argv: string[]): Promise<void> {
  // Its own options first (`--to-database URL`, `--to-blobs s3://…`, or `=` forms); the rest is the cloud's (`--data-dir`).
  const own: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (name !== '--to-database' && name !== '--to-blobs') {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    if (!value) exit(`${name} needs a value.\n${USAGE}`, 2);
    own[name] = value;
  }
  const database = own['--to-database'];
  const blobs = own['--to-blobs'];
  if (!database && !blobs) exit(`forte-cloud copy needs --to-database postgres://… and/or --to-blobs s3://….\n${USAGE}`, 2);
  if (blobs) {
    const problem = blobStoreSpecProblem(blobs);
    if (problem) exit(`--to-blobs: ${problem}.`, 2);
  }
  const args = parseArgs(rest);
  if (await runningCloud(join(args.dataDir, RUNTIME_FILE)))
    exit(`The cloud of ${args.dataDir} is running: stop it first (\`forte cloud stop\`), so that nothing changes while it is copied.`, 1);
  if (database) {
    try {
      const copied = await copyDataToDatabase({ dataDir: args.dataDir, database, secretKey: process.env[SECRET_KEY_VARIABLE] || undefined });
      const rows = copied.reduce((sum, table) => sum + table.rows, 0);
      console.log(`Copied ${rows} rows of ${copied.length} tables from ${join(args.dataDir, 'forte.db')}.`);
    } catch (error) {
      if (error instanceof CopyDataError) exit(error.message, 1);
      exit(`The copy failed, and the database was left as it was: ${error instanceof Error ? error.message : String(error)}`, 1);
    }
  }
  if (blobs) {
    try {
      const { count, bytes } = await copyBlobsTo({ dataDir: args.dataDir, blobs });
      console.log(`Copied ${count} blobs (${bytes} bytes) from ${join(args.dataDir, 'blobs')}.`);
    } catch (error) {
      exit(`The copy of the blobs failed (run it again: blobs already copied are written again): ${error instanceof Error ? error.message : String(error)}`, 1);
    }
  }
  console.log(
    `Start each instance with ${[database && '--database', blobs && '--blobs'].filter(Boolean).join(' and ')} and FORTE_SECRET_KEY set to the content of ${join(args.dataDir, 'secret.key')}.`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === 'copy') return copyCommand(process.argv.slice(3));
  const args = parseArgs(process.argv.slice(2));
  const runtimeFile = join(args.dataDir, RUNTIME_FILE);
  const running = await runningCloud(runtimeFile);
  if (running) exit(`Forte Cloud is already running at ${running.url} (pid ${running.pid}): stop it with \`forte cloud stop\`.`, 1);
  const { httpsPort: configuredHttpsPort, ...settings } = settingsOf(args.dataDir);
  // Everything this process writes (database, blobs, logs) is the owner's alone, whatever the shell's umask.
  process.umask(0o077);

  mkdirSync(join(args.dataDir, 'logs'), { recursive: true, mode: 0o700 });
  // One write per batch of lines rather than per line: the access log is written on every request.
  const logStream = createBatchedLogStream(createWriteStream(join(args.dataDir, 'logs', 'cloud.log'), { flags: 'a', mode: 0o600 }));
  let cloud;
  try {
    cloud = await createCloud({
      dataDir: args.dataDir,
      port: args.port,
      host: args.host,
      logStream,
      ...httpsPortOf(args, configuredHttpsPort),
      secretKey: process.env[SECRET_KEY_VARIABLE] || undefined,
      ...settings,
      ...(args.database ? { database: args.database } : {}),
      ...(args.bus === undefined ? {} : { bus: args.bus }),
      ...(args.publicUrl === undefined ? {} : { publicUrl: args.publicUrl }),
      ...(args.trustedProxies === undefined ? {} : { trustedProxies: args.trustedProxies }),
      drainMs: drainSeconds() * 1000,
      ...(args.blobs === undefined ? {} : { blobs: args.blobs }),
    });
  } catch (error) {
    logStream.end();
    if (error instanceof PortInUseError) exit(error.message, 1);
    exit(`Forte Cloud could not start: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  // Signal handlers come before cloud.json: whoever reads that file may signal this process at once.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    cloud.kernel.log.info('stopping', { signal });
    void cloud
      .close()
      .catch((error: unknown) => cloud.kernel.log.error('close failed', { error }))
      .finally(() => {
        // Only remove the file if it still names this process (a later cloud may own it).
        if (runningCloudPid(runtimeFile) === process.pid) rmSync(runtimeFile, { force: true });
        logStream.end(() => process.exit(0));
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Which build this is (the CLI restarts a local cloud that runs another): the bin's real path, the
  // version, and the time `tsc -b` last wrote this package (a checkout rebuilt in place; null when installed).
  // The bin is what was started (dist/bin.js), not this module: that may be the bundle (scripts/bundle-bins.mjs).
  const bin = realpathSync(process.argv[1]!);
  const build = statSync(join(dirname(bin), '.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? null;
  const info = {
    pid: process.pid,
    port: cloud.port,
    url: cloud.url,
    ...(cloud.httpsUrl !== undefined ? { httpsUrl: cloud.httpsUrl } : {}),
    instance: cloud.instance,
    startedAt: new Date().toISOString(),
    version: CLOUD_VERSION,
    bin,
    build,
  };
  const temp = `${runtimeFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, runtimeFile);
  console.log(`Forte Cloud listening on ${cloud.url}`);
  if (cloud.httpsUrl !== undefined) console.log(`HTTPS (the hosted UI) on ${cloud.httpsUrl}`);
  // Started from the bundle without a code cache: keep the one this start compiled (runWithCodeCache).
  ((globalThis as Record<symbol, unknown>)[CODE_CACHE_HOOK] as (() => void) | undefined)?.();
}

/** The HTTPS listener's port: as given (--https-port, else config.json), or beside the HTTP port (a free one when that is free too). */
function httpsPortOf(args: Args, configured: number | 'off' | undefined): { httpsPort?: number } {
  const given = args.httpsPort !== undefined ? args.httpsPort : configured === 'off' ? null : configured;
  if (given === null) return {};
  if (given !== undefined) return { httpsPort: given };
  return { httpsPort: args.port === 0 || args.port + HTTPS_PORT_OFFSET > 65535 ? 0 : args.port + HTTPS_PORT_OFFSET };
}

function runningCloudPid(file: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(`Forte Cloud failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
