import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError, adminCredentialsSchema, localCloudInfoSchema, type CloudEndpoint, type LocalCloudInfo, type Printer } from '@forte/protocol';
import { readJsonFile } from './json-file.js';

export type CloudJson = LocalCloudInfo;
const cloudJsonSchema = localCloudInfoSchema;

const DEFAULT_PORT = 20002;
const START_TIMEOUT_MS = 10_000;

export function localCloudDir(home: string): string {
  return join(home, 'cloud');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the cloud cloud.json describes answers at its URL, as that run (its instance id) when cloud.json names one.
 * node:http, not fetch: fetch loads undici and keeps the connection alive, and a short command such as
 * `forte status` then waits for both (hundreds of ms on a busy machine; docs/benchmarks.md, "Start-up").
 */
function healthy(info: CloudJson): Promise<boolean> {
  return healthOf(info).then((health) => health !== undefined);
}

/** The engines a cloud names in its health check (database, blobs, bus), e.g. `{ database: 'postgres' }`. */
export type CloudEngines = Readonly<Record<string, string>>;

/** What the cloud cloud.json describes answers at its health check, if it is that run. */
function healthOf(info: CloudJson): Promise<{ engines?: CloudEngines } | undefined> {
  return new Promise((resolve) => {
    const none = (): void => resolve(undefined);
    const req = httpGet(new URL('/_forte/health', info.url), { agent: false, timeout: 1000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', none);
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { instance?: unknown; engines?: unknown };
          const same = res.statusCode === 200 && (info['instance'] === undefined || body.instance === info['instance']);
          const engines = typeof body.engines === 'object' && body.engines !== null ? (body.engines as CloudEngines) : undefined;
          resolve(same ? (engines ? { engines } : {}) : undefined);
        } catch {
          none();
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', none);
  });
}

/**
 * Whether process `pid` is a Forte Cloud on `dataDir`, by its command line (Linux's /proc): how a cloud that
 * no longer answers its health check is still told from an unrelated process that took its pid.
 */
function runsCloudOf(pid: number, dataDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith(join('dist', 'bin.cjs')) || a.endsWith(join('dist', 'bin.js'))) && argv.includes(dataDir);
  } catch {
    return false;
  }
}

/**
 * cloud.json of the local cloud when its process is alive and answers its health check as the same run. A
 * live pid alone is not enough: after a `kill -9` it may be a zombie, or a new process may have taken it.
 */
export async function runningLocalCloud(home: string): Promise<(CloudJson & { engines?: CloudEngines }) | undefined> {
  const info = readJsonFile(join(localCloudDir(home), 'cloud.json'), cloudJsonSchema);
  if (!info || !isAlive(info.pid)) return undefined;
  const health = await healthOf(info);
  return health ? { ...info, ...health } : undefined;
}

/** `@forte/cloud`'s folder, found the way npm installed it. */
function cloudPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@forte/cloud/package.json'));
  } catch (error) {
    throw new UserError('The Forte Cloud package (@forte/cloud) is not installed next to the CLI.', 'Reinstall forte (npm install -g @forte/cli).', {
      cause: error,
    });
  }
}

/** The cloud's bin (`@forte/cloud`'s dist/bin.cjs). */
function cloudBin(): string {
  return join(cloudPackageDir(), 'dist', 'bin.cjs');
}

/** What tells builds of the cloud apart, as its bin writes them into cloud.json. */
interface CloudBuild {
  bin: string;
  version: string;
  /** When `tsc -b` last wrote the package (a checkout rebuilt in place); null for an installed package. */
  build: number | null;
}

/** The build of the cloud this CLI would start. */
function installedCloudBuild(): CloudBuild | undefined {
  try {
    const dir = cloudPackageDir();
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
    const build = statSync(join(dir, 'dist', '.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? null;
    return { bin: realpathSync(join(dir, 'dist', 'bin.cjs')), version, build };
  } catch {
    return undefined; // not installed or not built: starting it will say so
  }
}

/**
 * Why the running local cloud is not the build this CLI would start (another install, version or
 * rebuild), or undefined when it is. A cloud from before cloud.json named its build is another build.
 */
export function otherBuildOf(running: CloudJson): string | undefined {
  const installed = installedCloudBuild();
  if (!installed) return undefined;
  // A build is its package's dist folder (its bin is dist/bin.cjs, or dist/bin.js, which runs it).
  if (typeof running['bin'] !== 'string' || dirname(running['bin']) !== dirname(installed.bin))
    return `it runs ${typeof running['bin'] === 'string' ? running['bin'] : 'an older forte'}, this forte uses ${installed.bin}`;
  if (running['version'] !== installed.version) return `it runs version ${String(running['version'])}, this forte uses ${installed.version}`;
  if ((running['build'] ?? null) !== installed.build) return 'the cloud was rebuilt since it started';
  return undefined;
}

/** Starts the local cloud detached (it outlives the command) and waits until it answers. */
export async function startLocalCloud(home: string, options: { port?: number; dataDir?: string; print?: Printer } = {}): Promise<CloudJson> {
  const dataDir = options.dataDir ?? localCloudDir(home);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const cloudJson = join(dataDir, 'cloud.json');
  const stale = readJsonFile(cloudJson, cloudJsonSchema);
  if (stale && !(isAlive(stale.pid) && (await healthy(stale)))) rmSync(cloudJson, { force: true });
  const port = options.port ?? (process.env['FORTE_CLOUD_PORT'] ? Number(process.env['FORTE_CLOUD_PORT']) : DEFAULT_PORT);
  const bin = cloudBin();
  if (!existsSync(bin)) throw new UserError(`The Forte Cloud is not built: ${bin} is missing.`, 'Build it (npm run build) or reinstall forte.');
  // The cloud's own words when it cannot start go to a file, not a pipe: a pipe would break once this command
  // exits, and the detached cloud outlives it.
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const startLog = join(dataDir, 'logs', 'start.log');
  const errors = openSync(startLog, 'w', 0o600);
  // node:child_process only when a command starts the cloud: loading it is a tenth of a short command's start.
  const { spawn } = await import('node:child_process');
  let child;
  try {
    child = spawn(process.execPath, [bin, '--port', String(port), '--data-dir', dataDir], {
      detached: true,
      stdio: ['ignore', 'ignore', errors],
      env: { ...process.env, FORTE_HOME: home },
    });
  } finally {
    closeSync(errors);
  }
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) throw startFailure({ exitCode: exited, said: readTextFile(startLog), port, bin, dataDir });
    const info = readJsonFile(cloudJson, cloudJsonSchema);
    if (info && info.pid === child.pid && (await healthy(info))) {
      options.print?.info(`Started the local Forte Cloud at ${info.url} (stop it with \`forte cloud stop\`)`);
      return info;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new UserError(
    `The local Forte Cloud did not answer within ${START_TIMEOUT_MS / 1000} s.`,
    `Check the port (FORTE_CLOUD_PORT=${port}) or run it in the foreground: node ${bin} --data-dir ${dataDir}`,
  );
}

/** Why the local cloud stopped at start, in its own words, with what to do about it. */
function startFailure(failure: { exitCode: number; said: string; port: number; bin: string; dataDir: string }): UserError {
  const said = failure.said.trim();
  if (/already in use/.test(said)) {
    return new UserError(
      `The local Forte Cloud could not start: port ${failure.port} is used by another program.`,
      `Stop that program, or choose another port: FORTE_CLOUD_PORT=<port> for every command, or \`forte cloud start --port <port>\`.`,
    );
  }
  const why = said === '' ? `it stopped at start (exit code ${failure.exitCode})` : said.split('\n').slice(-5).join('\n');
  return new UserError(
    `The local Forte Cloud could not start: ${why}`,
    `Run it in the foreground to see more: node ${failure.bin} --port ${failure.port} --data-dir ${failure.dataDir}`,
  );
}

function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Runs the local cloud in the foreground (its output on this terminal) until it exits; returns its exit code. */
export async function runLocalCloudInForeground(home: string, options: { port?: number; dataDir?: string } = {}): Promise<number> {
  const dataDir = options.dataDir ?? localCloudDir(home);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = options.port ?? (process.env['FORTE_CLOUD_PORT'] ? Number(process.env['FORTE_CLOUD_PORT']) : DEFAULT_PORT);
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [cloudBin(), '--port', String(port), '--data-dir', dataDir], {
    stdio: 'inherit',
    env: { ...process.env, FORTE_HOME: home },
  });
  // Ctrl-C reaches the cloud through the terminal's process group; it shuts down and removes cloud.json.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}

/**
 * Stops the local cloud (SIGTERM, then waits for it to exit). false when it was not running, or when
 * `pid` is given and cloud.json names another process (one started meanwhile is left alone).
 */
export async function stopLocalCloud(home: string, pid?: number): Promise<boolean> {
  const cloudJson = join(localCloudDir(home), 'cloud.json');
  const info = readJsonFile(cloudJson, cloudJsonSchema);
  if (pid !== undefined && info?.pid !== pid) return false;
  // A pid that is alive but is not this cloud (reused after a crash) must never be signalled.
  if (!info || !isAlive(info.pid) || !((await healthy(info)) || runsCloudOf(info.pid, localCloudDir(home)))) {
    rmSync(cloudJson, { force: true });
    return false;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  rmSync(cloudJson, { force: true });
  return true;
}

/**
 * Starts the local cloud unless another forte process is starting it right now (a lock file next to
 * cloud.json), in which case it waits for that one: two clouds on one data folder must never run.
 */
async function ensureLocalCloud(home: string, print: Printer): Promise<CloudJson> {
  const dir = localCloudDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, 'starting.lock');
  const deadline = Date.now() + START_TIMEOUT_MS + 2000;
  for (;;) {
    const running = await runningLocalCloud(home);
    if (running) {
      const other = otherBuildOf(running);
      if (!other) return running;
      // A cloud left running by an earlier forte would answer with its old code: start this one instead.
      print.info(`Restarting the local Forte Cloud (${other}).`);
      await stopLocalCloud(home, running.pid);
      continue;
    }
    try {
      closeSync(openSync(lock, 'wx'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the start timeout belongs to a process that died while starting.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > START_TIMEOUT_MS + 2000) rmSync(lock, { force: true });
      if (Date.now() > deadline)
        throw new UserError('Another forte process is starting the local cloud and it did not come up.', `Remove ${lock} and run the command again.`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      return await startLocalCloud(home, { print });
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** The local cloud's endpoint and admin keys, starting it when it is not running. */
export async function localCloudEndpoint(home: string, print: Printer): Promise<CloudEndpoint> {
  const info = await ensureLocalCloud(home, print);
  const file = join(localCloudDir(home), 'admin-credentials.json');
  const creds = readJsonFile(file, adminCredentialsSchema);
  if (!creds) throw new UserError(`The local cloud's admin keys are missing (${file}).`, 'Restart it: `forte cloud stop`, then run the command again.');
  const region = creds.region ?? (typeof info['region'] === 'string' ? info['region'] : 'us-east-1');
  return { endpoint: info.url.replace(/\/$/, ''), accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, region };
}
