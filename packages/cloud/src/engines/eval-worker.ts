import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The options that decide whether code given to `node -e` is a module, and the process's own `-e` / `-p` text:
 * a thread started with `eval: true` inherits the process's `execArgv`, so in a process started with
 * `node --input-type=module -e …` (or Node 22's `--experimental-default-type=module`) its CommonJS code would run
 * as a module, where `require` is not defined.
 */
const MODULE_TYPE_OPTIONS = ['--input-type', '--experimental-default-type'];
const SCRIPT_OPTIONS = ['-e', '--eval', '-p', '--print'];

/** `execArgv` without what would change how a thread's evaluated script is read (the rest is kept: memory, preloads). */
export function scriptExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (MODULE_TYPE_OPTIONS.includes(name) || SCRIPT_OPTIONS.includes(name)) {
      // `--input-type module` and `-e <code>` take the next argument; `--input-type=module` does not.
      if (!arg.includes('=')) i += 1;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

/** A thread running `code`, a CommonJS script, however this process was started. */
export function evalWorker(code: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  return new Worker(code, { ...options, eval: true, execArgv: scriptExecArgv(process.execArgv) });
}
