import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { UserError } from '@forte/protocol';
import { BUILD_COMMANDS } from './function-resource.js';

/**
 * Forte's record of a folder's last successful build, inside its node_modules: never committed, left out of
 * the zip and of the backend's hashes, and gone (so the next build installs again) when node_modules is.
 */
export const BUILD_RECORD_FILE = 'node_modules/.forte-build.json';

/** Whether `tool` is a command on the PATH. */
function installed(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, process.platform === 'win32' ? `${tool}.cmd` : tool)));
}

/**
 * The install Amplify's package-manager detection picks: a pnpm or yarn lock file counts only when that tool
 * is installed (a clone whose function has a yarn.lock builds with npm on a machine without yarn, as with
 * Amplify); package-lock.json means npm; with no lock file, yarn, then pnpm, when installed, else npm.
 */
export function buildCommand(
  srcDir: string,
  stateBuild: string | undefined,
  isInstalled: (tool: string) => boolean = installed,
): { command: string; tool: string } {
  if (stateBuild) return { command: stateBuild, tool: stateBuild.split(' ')[0] ?? stateBuild };
  const has = (file: string): boolean => existsSync(join(srcDir, file));
  const pick = (tool: keyof typeof BUILD_COMMANDS) => ({ command: BUILD_COMMANDS[tool], tool });
  if (has('pnpm-lock.yaml') && isInstalled('pnpm')) return pick('pnpm');
  if (has('yarn.lock') && isInstalled('yarn')) return pick('yarn');
  if (has('package-lock.json')) return pick('npm');
  if (isInstalled('yarn')) return pick('yarn');
  if (isInstalled('pnpm')) return pick('pnpm');
  return pick('npm');
}

/** A fingerprint of a source folder outside node_modules (paths, sizes, contents). */
export function sourceFingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string, rel: string): void => {
    for (const name of readdirSync(current).sort()) {
      if (name === 'node_modules' || name === 'dist') continue;
      const full = join(current, name);
      const stats = statSync(full);
      if (stats.isDirectory()) walk(full, `${rel}${name}/`);
      else if (stats.isFile()) hash.update(`${rel}${name}\0`).update(readFileSync(full)).update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

function run(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The files an install reads: when none of them changed, installing again gives the same node_modules. */
const DEPENDENCY_FILES = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', '.npmrc', '.yarnrc', '.yarnrc.yml'];

/** A fingerprint of what the build depends on: for a package manager's install, its files; for a custom build, every source. */
function buildFingerprint(dir: string, command: string): string {
  if (!(Object.values(BUILD_COMMANDS) as string[]).includes(command)) return sourceFingerprint(dir);
  const hash = createHash('sha256');
  for (const name of DEPENDENCY_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) hash.update(`${name}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Installs a folder's dependencies as Amplify's legacy build does, when it has a package.json, but only when
 * what the build depends on changed since the last successful build (recorded in BUILD_RECORD_FILE next to
 * it): for an install, the package and lock files (editing a handler installs nothing: Amplify's legacy build
 * installs again after any change, which made a push of ten edited functions take seconds of npm); for a
 * custom build command, every source file. Returns whether it ran; a failing install is a UserError naming
 * the resource and quoting the tool's output.
 */
export async function installDependencies(options: { resourceName: string; buildDir: string; stateBuild?: string }): Promise<boolean> {
  const { resourceName, buildDir } = options;
  if (!existsSync(join(buildDir, 'package.json'))) return false;
  const recordFile = join(buildDir, BUILD_RECORD_FILE);
  const { command, tool } = buildCommand(buildDir, options.stateBuild);
  const fingerprint = buildFingerprint(buildDir, command);
  if (readRecord(recordFile) === `${command}\n${fingerprint}`) return false;
  let result: { code: number | null; output: string };
  try {
    result = await run(command, buildDir);
  } catch (error) {
    throw new UserError(
      `The build of ${resourceName} could not start ${tool}: ${(error as Error).message}`,
      `Install ${tool}, or choose another package manager with \`forte update function\`.`,
      { cause: error },
    );
  }
  if (result.code !== 0) {
    throw new UserError(
      `The build of ${resourceName} failed: \`${command}\` exited with ${String(result.code)} in ${buildDir}.\n${result.output.trim()}`,
      `Fix the dependencies in ${join(buildDir, 'package.json')} (or the build command in amplify.state) and push again.`,
    );
  }
  // The lock file an install may have written is part of the sources: fingerprint after it.
  mkdirSync(dirname(recordFile), { recursive: true });
  writeFileSync(recordFile, `${command}\n${buildFingerprint(buildDir, command)}`);
  return true;
}

function readRecord(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
