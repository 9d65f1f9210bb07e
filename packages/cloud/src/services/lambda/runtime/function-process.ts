import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Lambda's error object, as the function's process or the runtime reports it. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** How one invocation ended, as seen from the process. */
export type ProcessAnswer =
  | { kind: 'result'; payload: string }
  | { kind: 'error'; error: LambdaErrorPayload }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; outOfMemory: boolean };

export type InitResult = { ok: true; initDurationMs: number } | { ok: false; initDurationMs: number; answer: ProcessAnswer };

export interface FunctionProcessOptions {
  nodeBinary: string;
  bootstrapPath: string;
  codeDir: string;
  memoryMb: number;
  /** The complete environment of the process: nothing of the cloud's own is inherited. */
  env: Record<string, string>;
  stream: string;
  /** Each line the process prints on stdout or stderr, as it arrives. */
  onLine(message: string): void;
  /** The process is gone (exited, crashed or killed). */
  onExit(): void;
}

export interface FunctionProcess {
  readonly pid: number | undefined;
  readonly stream: string;
  /** Settles once the handler is loaded, or failed to load (the process then exits). */
  readonly ready: Promise<InitResult>;
  readonly exited: boolean;
  /** Alive and not about to exit: may take another invocation. */
  readonly usable: boolean;
  /** Runs one invocation; resolves once the answer and every line printed before it are in. */
  run(message: Record<string, unknown>): Promise<ProcessAnswer>;
  /** The most memory the process has held so far, in MB. */
  maxMemoryUsedMb(): number;
  kill(): void;
}

const SAMPLE_INTERVAL_MS = 100;
const MAX_LINE_CHARS = 256 * 1024;

/** Starts one process of a function: its bootstrap loads the handler, then runs invocations one at a time. */
export function createFunctionProcess(options: FunctionProcessOptions): FunctionProcess {
  const started = performance.now();
  // V8's heap gets most of the function's memory, as on Lambda; the RSS check below enforces the rest.
  const heapMb = Math.max(16, Math.floor(options.memoryMb * 0.9));
  const child = spawn(options.nodeBinary, [`--max-old-space-size=${heapMb}`, options.bootstrapPath], {
    cwd: options.codeDir,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    // A group of its own, so that stopping it stops whatever it started too (a shell, a child node).
    detached: process.platform !== 'win32',
  });
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  let exited = false;
  let dying = false;
  let outOfMemory = false;
  let peakKb = 0;
  let pending: { marker: string; markersSeen: number; answer?: ProcessAnswer; resolve(a: ProcessAnswer): void } | undefined;
  let onReady: (r: InitResult) => void = () => undefined;
  const ready = new Promise<InitResult>((resolve) => (onReady = resolve));

  const settle = (): void => {
    if (pending?.answer && pending.markersSeen >= 2) {
      const { answer, resolve } = pending;
      pending = undefined;
      resolve(answer);
    }
  };

  const readLines = (source: NodeJS.ReadableStream): void => {
    let buffered = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      buffered += chunk;
      for (;;) {
        const marker = pending?.marker;
        const at = marker ? buffered.indexOf(marker) : -1;
        const newline = buffered.indexOf('\n');
        if (marker && at !== -1 && (newline === -1 || at < newline)) {
          if (at > 0) emit(buffered.slice(0, at));
          buffered = buffered.slice(at + marker.length);
          if (pending) pending.markersSeen += 1;
          settle();
          continue;
        }
        if (newline === -1) {
          // Lambda cuts a log event at 256 KB: a line that long is emitted in parts rather than held.
          if (buffered.length >= MAX_LINE_CHARS && !(marker && buffered.includes('\u0000'))) {
            emit(buffered.slice(0, MAX_LINE_CHARS));
            buffered = buffered.slice(MAX_LINE_CHARS);
            continue;
          }
          break;
        }
        emit(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    source.on('end', () => {
      if (buffered) emit(buffered);
      buffered = '';
    });
  };
  const emit = (line: string): void => {
    // V8 reports heap exhaustion on stderr just before it aborts.
    if (line.includes('JavaScript heap out of memory') || line.includes('Reached heap limit')) outOfMemory = true;
    options.onLine(line);
  };
  if (child.stdout) readLines(child.stdout);
  if (child.stderr) readLines(child.stderr);

  // Only while an invocation runs: the limit matters then, and the answer carries the child's own peak. An idle
  // warm process read every 100 ms made 200-300 reads a second with a few dozen of them, on the cloud's core.
  const sampler = setInterval(() => {
    if (child.pid === undefined || exited || !pending) return;
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
        if (kb > options.memoryMb * 1024 && !exited) {
          outOfMemory = true;
          killGroup();
        }
      },
      () => undefined, // not Linux, or the process just ended: the child's own maxRSS still counts
    );
  }, SAMPLE_INTERVAL_MS);
  sampler.unref();

  child.on('message', (message: { type?: string; error?: LambdaErrorPayload; payload?: string; maxRssKb?: number; fatal?: boolean }) => {
    if (message.fatal || message.type === 'init-error') dying = true;
    peakKb = Math.max(peakKb, message.maxRssKb ?? 0);
    const initDurationMs = performance.now() - started;
    if (message.type === 'ready') onReady({ ok: true, initDurationMs });
    else if (message.type === 'init-error' && message.error) {
      const answer: ProcessAnswer = { kind: 'error', error: message.error };
      onReady({ ok: false, initDurationMs, answer });
      if (pending) pending.answer = answer;
    } else if (pending && message.type === 'result') pending.answer = { kind: 'result', payload: message.payload ?? 'null' };
    else if (pending && message.type === 'error' && message.error) pending.answer = { kind: 'error', error: message.error };
    settle();
  });

  const onGone = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = true;
    clearInterval(sampler);
    killGroup(); // what the process started and left behind (its group outlives it) goes with it
    const answer: ProcessAnswer = { kind: 'exit', code, signal, outOfMemory };
    onReady({ ok: false, initDurationMs: performance.now() - started, answer });
    if (pending) {
      // An answer that arrived before the exit stands; lines after it are not awaited from a dead process.
      const { resolve } = pending;
      const final = pending.answer ?? answer;
      pending = undefined;
      resolve(final);
    }
    options.onExit();
  };
  // 'close' comes after the pipes are drained, so every line the process printed is emitted first.
  child.on('close', onGone);
  child.on('error', (error) => {
    options.onLine(`Failed to start the function's Node.js (${options.nodeBinary}): ${error.message}`);
    onGone(127, null);
  });

  return {
    pid: child.pid,
    stream: options.stream,
    ready,
    get exited() {
      return exited;
    },
    get usable() {
      return !exited && !dying;
    },
    run(message) {
      if (exited) return Promise.resolve({ kind: 'exit', code: child.exitCode, signal: child.signalCode, outOfMemory });
      const marker = `\u0000forte-end-${randomBytes(12).toString('hex')}\u0000`;
      return new Promise<ProcessAnswer>((resolve) => {
        pending = { marker, markersSeen: 0, resolve };
        try {
          child.send({ ...message, marker });
        } catch {
          killGroup(); // the channel is gone: 'close' answers with the exit
        }
      });
    },
    maxMemoryUsedMb: () => Math.ceil(peakKb / 1024),
    kill() {
      if (!exited) killGroup();
    },
  };
}
