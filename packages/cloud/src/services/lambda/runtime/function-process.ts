import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { PROCESS_TREE_KNOWN, killProcessTree } from './process-tree.js';

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

/**
 * The Node.js options Lambda's Node.js runtime starts a function with: `global.gc` (`--expose-gc`), HTTP headers
 * up to 80 KiB (`--max-http-header-size`), and V8's old space at 90% of the function's memory, unless the function's
 * own NODE_OPTIONS sizes the heap (Lambda then leaves both sizes to it; the RSS check below still holds the limit).
 */
function lambdaNodeOptions(memoryMb: number, nodeOptions: string | undefined): string[] {
  const options = ['--expose-gc', '--max-http-header-size=81920'];
  if (!/--max[-_](?:old|semi)[-_]space[-_]size/.test(nodeOptions ?? '')) options.push(`--max-old-space-size=${Math.max(16, Math.floor(memoryMb * 0.9))}`);
  return options;
}

const SAMPLE_INTERVAL_MS = 100;
const MAX_LINE_CHARS = 256 * 1024;

/** Starts one process of a function: its bootstrap loads the handler, then runs invocations one at a time. */
export function createFunctionProcess(options: FunctionProcessOptions): FunctionProcess {
  const started = performance.now();
  const child = spawn(options.nodeBinary, [...lambdaNodeOptions(options.memoryMb, options.env.NODE_OPTIONS), options.bootstrapPath], {
    cwd: options.codeDir,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    // Stopping it stops whatever it started too (a shell, a child node). On Linux its descendants are found in
    // /proc, and it exits with them when it exits on its own (the bootstrap); elsewhere it gets a session, so a
    // process group, of its own. A session of its own is also a scheduling group of its own on Linux (automatic
    // process groups), and ten busy sessions answered fewer invocations a second than ten processes of the cloud's.
    detached: !PROCESS_TREE_KNOWN && process.platform !== 'win32',
  });
  const killTree = (): void => {
    try {
      if (child.pid === undefined) return;
      if (PROCESS_TREE_KNOWN) {
        // Only while the pid is still this child's (not yet reaped): an exited one's pid may be another process's.
        if (child.exitCode === null && child.signalCode === null) killProcessTree(child.pid);
      } else if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  let exited = false;
  let dying = false;
  let outOfMemory = false;
  let peakKb = 0;
  // The invocation in progress: its answer, and the bytes the process had written to stdout and stderr when
  // it answered (it counts them), so that the invocation ends once every line it printed has been read.
  let pending: { answer?: ProcessAnswer; startedAt: number; stdoutBytes: number; stderrBytes: number; resolve(a: ProcessAnswer): void } | undefined;
  let onReady: (r: InitResult) => void = () => undefined;
  const ready = new Promise<InitResult>((resolve) => (onReady = resolve));

  const emit = (line: string): void => {
    // V8 reports heap exhaustion on stderr just before it aborts.
    if (line.includes('JavaScript heap out of memory') || line.includes('Reached heap limit')) outOfMemory = true;
    options.onLine(line);
  };
  const readLines = (source: NodeJS.ReadableStream) => {
    const decoder = new StringDecoder('utf8');
    const reader = { bytes: 0, buffered: '' };
    source.on('data', (chunk: Buffer) => {
      reader.bytes += chunk.length;
      reader.buffered += decoder.write(chunk);
      for (;;) {
        const newline = reader.buffered.indexOf('\n');
        if (newline === -1) {
          // Lambda cuts a log event at 256 KB: a line that long is emitted in parts rather than held.
          if (reader.buffered.length < MAX_LINE_CHARS) break;
          emit(reader.buffered.slice(0, MAX_LINE_CHARS));
          reader.buffered = reader.buffered.slice(MAX_LINE_CHARS);
          continue;
        }
        emit(reader.buffered.slice(0, newline));
        reader.buffered = reader.buffered.slice(newline + 1);
      }
      settle();
    });
    source.on('end', () => {
      reader.buffered += decoder.end();
      if (reader.buffered) emit(reader.buffered);
      reader.buffered = '';
    });
    return reader;
  };
  const stdout = child.stdout ? readLines(child.stdout) : undefined;
  const stderr = child.stderr ? readLines(child.stderr) : undefined;

  function settle(): void {
    if (!pending?.answer) return;
    if ((stdout && stdout.bytes < pending.stdoutBytes) || (stderr && stderr.bytes < pending.stderrBytes)) return;
    // What the invocation printed without a final newline is one line of its own, as Lambda logs it.
    for (const reader of [stdout, stderr])
      if (reader?.buffered) {
        emit(reader.buffered);
        reader.buffered = '';
      }
    const { answer, resolve } = pending;
    pending = undefined;
    resolve(answer);
  }

  // Only while an invocation runs: the limit matters then, and the answer carries the child's own peak. An idle
  // warm process read every 100 ms made 200-300 reads a second with a few dozen of them, on the cloud's core.
  const sampler = setInterval(() => {
    // An invocation younger than one interval is not read: most end sooner, and the answer carries the
    // child's own peak (a read per process and interval cost the cloud ~4% of its time under load).
    if (child.pid === undefined || exited || !pending || performance.now() - pending.startedAt < SAMPLE_INTERVAL_MS) return;
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
        if (kb > options.memoryMb * 1024 && !exited) {
          outOfMemory = true;
          killTree();
        }
      },
      () => undefined, // not Linux, or the process just ended: the child's own maxRSS still counts
    );
  }, SAMPLE_INTERVAL_MS);
  sampler.unref();

  child.on(
    'message',
    (message: {
      type?: string;
      error?: LambdaErrorPayload;
      payload?: string;
      maxRssKb?: number;
      fatal?: boolean;
      stdoutBytes?: number;
      stderrBytes?: number;
    }) => {
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
      if (pending?.answer) {
        pending.stdoutBytes = Number(message.stdoutBytes ?? 0);
        pending.stderrBytes = Number(message.stderrBytes ?? 0);
      }
      settle();
    },
  );

  const onGone = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = true;
    clearInterval(sampler);
    killTree(); // what the process started and left behind (its group outlives it) goes with it (no group: its bootstrap saw to it)
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
      return new Promise<ProcessAnswer>((resolve) => {
        pending = { startedAt: performance.now(), stdoutBytes: 0, stderrBytes: 0, resolve };
        try {
          child.send(message);
        } catch {
          killTree(); // the channel is gone: 'close' answers with the exit
        }
      });
    },
    maxMemoryUsedMb: () => Math.ceil(peakKb / 1024),
    kill() {
      if (!exited) killTree();
    },
  };
}
