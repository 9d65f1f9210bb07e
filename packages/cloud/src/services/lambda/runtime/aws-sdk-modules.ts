import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeSetupError } from './errors.js';
import { CLOUD_NODE_MAJOR } from './node-releases.js';

const run = promisify(execFile);

const SOURCE_FILE = /\.(?:js|mjs|cjs)$/;
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
// require('@aws-sdk/x'), import('@aws-sdk/x'), import ... from '@aws-sdk/x', import '@aws-sdk/x' (subpaths too).
const SPECIFIER = /(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s*|\bimport\s+)(['"`])(@aws-sdk\/[a-z0-9][a-z0-9._-]*)(?:\/[^'"`]*)?\1/g;

/** The `@aws-sdk/*` packages the function's code (outside node_modules) requires or imports. */
export async function awsSdkPackagesUsed(codeDir: string): Promise<string[]> {
  const found = new Set<string>();
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (files >= MAX_FILES) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) await walk(path);
      } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) {
        files += 1;
        if ((await stat(path)).size > MAX_FILE_BYTES) continue;
        for (const match of (await readFile(path, 'utf8')).matchAll(SPECIFIER)) found.add(match[2] as string);
      }
    }
  };
  await walk(codeDir);
  return [...found].sort();
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
const has = (nodeModules: string, pkg: string): Promise<boolean> => exists(join(nodeModules, pkg, 'package.json'));

let queue: Promise<unknown> = Promise.resolve();

export interface AwsSdkOptions {
  cacheDir: string;
  registry: string;
  allowDownloads: boolean;
  /** Folders whose node_modules come before the shared SDK (the function's own, its layers'). */
  ownNodeModules: string[];
  /** The Node.js the function runs on: its major names the SDK's folder, and npm runs on it to choose releases for it. */
  node: { major: number; path: string };
}

/**
 * Makes sure every `@aws-sdk/*` package the function uses and does not bring itself is installed in
 * `<cacheDir>/aws-sdk/node<major>/node_modules`, shared by the functions on that Node.js major, as each of Lambda's
 * Node.js runtimes provides an SDK v3 release that supports its Node: npm runs on the function's Node, so it picks
 * the newest releases whose `engines` admit it (a runtime older than the SDK's newest supported Node keeps an older
 * SDK instead of one that warns or fails on it). Installs are serialized (one npm at a time writes a folder).
 * Returns that node_modules folder.
 */
export async function ensureAwsSdkModules(codeDir: string, options: AwsSdkOptions): Promise<string> {
  const prefix = join(options.cacheDir, 'aws-sdk', `node${options.node.major}`);
  const nodeModules = join(prefix, 'node_modules');
  const used = await awsSdkPackagesUsed(codeDir);
  const needed: string[] = [];
  for (const pkg of used) {
    const own = await Promise.all(options.ownNodeModules.map((dir) => has(dir, pkg)));
    if (!own.includes(true)) needed.push(pkg);
  }
  const install = async (): Promise<void> => {
    if (options.node.major === CLOUD_NODE_MAJOR) await adoptOneFolderCache(options.cacheDir, prefix);
    const missing = (await Promise.all(needed.map(async (pkg) => ((await has(nodeModules, pkg)) ? undefined : pkg)))).filter((p) => p !== undefined);
    if (missing.length === 0) return;
    if (!options.allowDownloads) {
      throw new RuntimeSetupError(
        `The function uses ${missing.join(', ')}, which is not in the AWS SDK cache (${nodeModules}) and downloads are turned off. Connect this machine to the internet once so Forte can install it, or add it to the function's own package.json dependencies.`,
      );
    }
    await mkdir(prefix, { recursive: true });
    const args = [
      'install',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--omit=dev',
      '--registry',
      options.registry,
      // An unreachable registry fails the deploy within seconds, not after npm's minute of retries.
      '--fetch-retries=0',
      '--fetch-timeout=15000',
      '--cache',
      join(options.cacheDir, 'npm-cache'),
      ...missing.map((p) => `${p}@3`),
    ];
    try {
      const npm = npmCommand(args);
      await run(npm.file, npm.args, {
        shell: npm.shell,
        env: npmEnvironment(options.node.path),
        timeout: 10 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message)
        .trim()
        .split('\n')
        .slice(-6)
        .join('\n');
      throw new RuntimeSetupError(
        `Installing ${missing.join(', ')} (used by the function, provided by Lambda's Node.js runtimes) from ${options.registry} failed:\n${detail}\nConnect this machine to the registry once, or add the package to the function's own package.json dependencies.`,
        { cause: error },
      );
    }
    const still = (await Promise.all(missing.map(async (pkg) => ((await has(nodeModules, pkg)) ? undefined : pkg)))).filter((p) => p !== undefined);
    if (still.length > 0)
      throw new RuntimeSetupError(`npm finished but ${still.join(', ')} is not in ${nodeModules}: install it into the function's own node_modules instead.`);
  };
  const locked = (): Promise<void> => withInstallLock(`${prefix}.lock`, install);
  const turn = queue.then(locked, locked);
  queue = turn.catch(() => undefined);
  await turn;
  return nodeModules;
}

/**
 * How npm is run with `args`. On Windows npm is `npm.cmd`, which Node runs only through the shell (since 20.12.2 and
 * 18.20.2 a batch file given to execFile is refused with EINVAL), so there each argument is quoted for cmd.exe.
 */
export function npmCommand(args: readonly string[], platform: NodeJS.Platform = process.platform): { file: string; args: string[]; shell: boolean } {
  if (platform !== 'win32') return { file: 'npm', args: [...args], shell: false };
  return { file: 'npm.cmd', args: args.map(quotedForCmd), shell: true };
}

function quotedForCmd(arg: string): string {
  // No path or URL given here holds one, and cmd.exe has no way to pass it inside quotes. (A %NAME% of a defined
  // variable is still expanded inside quotes; a path or registry URL holding one is not supported on Windows.)
  if (arg.includes('"')) throw new RuntimeSetupError(`npm cannot be run on Windows with an argument that holds a double quote: ${arg}`);
  return arg === '' || /[\s&|<>^(),;=%!]/.test(arg) ? `"${arg}"` : arg;
}

/**
 * npm's environment: what it needs to run, not the cloud's own variables (secrets among them), with the function's
 * Node.js first on the PATH, so that npm (whose command runs the `node` the PATH finds) runs on it; on Windows also
 * what cmd.exe needs to find `npm.cmd` (names matched in any case: Windows spells it `Path`).
 */
export function npmEnvironment(nodePath: string, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const keep =
    /^(PATH|PATHEXT|COMSPEC|HOME|USERPROFILE|APPDATA|LOCALAPPDATA|TMPDIR|TEMP|TMP|SYSTEMROOT|LANG|HTTPS?_PROXY|NO_PROXY|NODE_EXTRA_CA_CERTS|npm_config_userconfig)$/i;
  const env = Object.fromEntries(Object.entries(from).filter((e): e is [string, string] => keep.test(e[0]) && e[1] !== undefined));
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH') ?? 'PATH';
  env[pathKey] = [dirname(nodePath), env[pathKey]].filter(Boolean).join(delimiter);
  return env;
}

/**
 * Earlier releases installed the SDK for every function in `<cacheDir>/aws-sdk` itself, with npm on this machine's
 * Node: that install becomes the folder of this process's major (moved once, under its lock), so a machine that
 * installed the SDK before, offline now, keeps it.
 */
async function adoptOneFolderCache(cacheDir: string, prefix: string): Promise<void> {
  const old = join(cacheDir, 'aws-sdk');
  if (!(await exists(join(old, 'node_modules'))) || (await exists(join(prefix, 'node_modules')))) return;
  await mkdir(prefix, { recursive: true });
  for (const name of ['package.json', 'package-lock.json', 'node_modules'])
    await rename(join(old, name), join(prefix, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
}

const LOCK_STALE_MS = 11 * 60_000; // longer than an npm install may take (its timeout above)

/**
 * Runs `fn` holding a lock folder, so that clouds sharing the cache folder install one at a time (npm
 * rewrites node_modules as a whole). A lock older than any install could take is left from a crash: removed.
 */
async function withInstallLock(lockDir: string, fn: () => Promise<void>): Promise<void> {
  await mkdir(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > LOCK_STALE_MS) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
