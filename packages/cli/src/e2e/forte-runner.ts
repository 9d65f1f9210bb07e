import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A temp folder holding FORTE_HOME (`home/`) and a JavaScript (React) project `app/` made by `forte init`. */
export async function initProject(prefix: string, projectName: string): Promise<{ work: string; home: string; root: string }> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const home = join(work, 'home');
  const root = join(work, 'app');
  mkdirSync(root);
  const frontend = '{"frontend":"javascript","framework":"react"}';
  const init = await runForte(['init', '--amplify', JSON.stringify({ projectName, envName: 'dev' }), '--frontend', frontend, '--yes'], { cwd: root, home });
  assert.equal(init.code, 0, init.stderr);
  return { work, home, root };
}

/** Stops the local cloud of a test's FORTE_HOME and removes the test's temp folder. */
export async function removeProject({ work, home }: { work: string; home: string }): Promise<void> {
  await runForte(['cloud', 'stop'], { cwd: work, home });
  rmSync(work, { recursive: true, force: true });
}
