import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The built CLI binary (packages/cli/dist/bin.js), as users run it. */
export const FORTE_BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

export interface ForteRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `forte` binary (test support: end-to-end tests drive the CLI as a user does). The
 * environment gets FORTE_HOME and FORTE_CLOUD_PORT=0 so no test touches ~/.forte or port 20002.
 */
export function runForte(
  args: string[],
  options: { cwd: string; home: string; stdin?: string; env?: Record<string, string>; onSpawn?: (pid: number) => void },
): Promise<ForteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FORTE_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, FORTE_HOME: options.home, FORTE_CLOUD_PORT: '0', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs the built binary in a real pseudo-terminal (`script` from util-linux) and types each answer once
 * its question is on the screen. Answers are raw keys: text, `\r` (Enter), `\x1b[A` (arrow up).
 * `columns` sets the terminal's width.
 */
export async function runForteInTerminal(
  args: string[],
  options: { cwd: string; home: string; env?: Record<string, string>; columns?: number },
  answers: [question: RegExp, keys: string][],
): Promise<{ code: number | null; screen: string }> {
  const forte = [process.execPath, FORTE_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // The terminal's width, as a user's window would set it (script's own follows the test's, often none).
  const command = options.columns === undefined ? forte : `stty cols ${options.columns} rows 50; ${forte}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { ...process.env, FORTE_HOME: options.home, FORTE_CLOUD_PORT: '0', NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let unread = '';
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    unread += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  for (const [question, keys] of answers) {
    const deadline = Date.now() + 15_000;
    while (!question.test(unread)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`no question ${question} on the screen:\n${screen}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    unread = unread.slice(unread.search(question)).replace(question, '');
    child.stdin.write(keys);
  }
  // A question the answers did not expect would otherwise wait for the test's own timeout, saying nothing.
  let timer: NodeJS.Timeout | undefined;
  const unanswered = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), 90_000)));
  const ended = await Promise.race([exited, unanswered]);
  clearTimeout(timer);
  if (ended === 'waiting') {
    child.kill('SIGKILL');
    throw new Error(`forte ${args.join(' ')} was still running 90 s after the last answer; the screen ends with:\n${screen.slice(-2000)}`);
  }
  return { code: ended, screen };
}

/** Amplify's AddAuthRequest v2 for email sign-in with an identity pool (that lets guests in when `guests`). */
export function identityPoolAuthRequest({ guests }: { guests: boolean }): object {
  return {
    version: 2,
    serviceConfiguration: {
      serviceName: 'Cognito',
      includeIdentityPool: true,
      ...(guests ? { identityPoolConfiguration: { unauthenticatedLogin: true } } : {}),
      userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'] },
    },
  };
}

/** What a test project starts with besides `forte init`. */
export interface ProjectOptions {
  /** A headless AddAuthRequest that `forte add auth --headless` adds after init. */
  auth?: object;
}

/**
 * A temp folder holding FORTE_HOME (`home/`) and a JavaScript (React) project `app/` made by `forte init`, then
 * `options.auth` added.
 */
export async function initProject(prefix: string, projectName: string, options: ProjectOptions = {}): Promise<{ work: string; home: string; root: string }> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const home = join(work, 'home');
  const root = join(work, 'app');
  mkdirSync(root);
  const frontend = '{"frontend":"javascript","framework":"react"}';
  const init = await runForte(['init', '--amplify', JSON.stringify({ projectName, envName: 'dev' }), '--frontend', frontend, '--yes'], { cwd: root, home });
  assert.equal(init.code, 0, init.stderr);
  if (options.auth !== undefined) {
    const auth = await runForte(['add', 'auth', '--headless'], { cwd: root, home, stdin: JSON.stringify(options.auth) });
    assert.equal(auth.code, 0, auth.stderr + auth.stdout);
  }
  return { work, home, root };
}

/** A project of initProject with the built binary and its files at hand. */
export interface TestProject {
  work: string;
  home: string;
  root: string;
  /** Runs `forte args` in the project, `stdin` its input (a headless request). */
  forte(args: string[], stdin?: string): Promise<ForteRun>;
  /** A JSON file of the project, parsed (`path` relative to its root). */
  readJson(...path: string[]): any;
}

/**
 * The project of the enclosing `describe`: made by initProject in a `before` hook, removed in an `after` hook
 * (node:test runs hooks in the order they are registered). Its folders are set once its `before` has run.
 */
export function useProject(prefix: string, projectName: string, options: ProjectOptions = {}): TestProject {
  const project: TestProject = {
    work: '',
    home: '',
    root: '',
    forte: (args, stdin) => runForte(args, { cwd: project.root, home: project.home, ...(stdin === undefined ? {} : { stdin }) }),
    readJson: (...path) => JSON.parse(readFileSync(join(project.root, ...path), 'utf8')),
  };
  before(async () => Object.assign(project, await initProject(prefix, projectName, options)));
  after(() => removeProject(project));
  return project;
}

/** Stops the local cloud of a test's FORTE_HOME and removes the test's temp folder. */
export async function removeProject({ work, home }: { work: string; home: string }): Promise<void> {
  await runForte(['cloud', 'stop'], { cwd: work, home });
  rmSync(work, { recursive: true, force: true });
}
