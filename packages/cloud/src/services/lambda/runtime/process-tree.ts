import { readFileSync, readdirSync } from 'node:fs';

/**
 * Whether this system lists each process's children in `/proc` (Linux): then a function process needs no
 * session of its own for the cloud to find and stop what it started.
 */
export const PROCESS_TREE_KNOWN: boolean = (() => {
  if (process.platform !== 'linux') return false;
  try {
    readFileSync(`/proc/${process.pid}/task/${process.pid}/children`);
    return true;
  } catch {
    return false;
  }
})();

/** The children of `pid`, from each of its threads' `/proc` entries; none once it is gone. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const thread of threads) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(' ')) if (child.trim()) children.push(Number(child));
  }
  return children;
}

/** Sends `name` to `pid`; false when there is no such process (any more). */
const signal = (pid: number, name: NodeJS.Signals): boolean => {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
};

/**
 * Kills `pid` and every process it started, however deep (Linux, `/proc`). Each process is stopped
 * (SIGSTOP) before its children are read, so none can start another behind the walk; then all are killed.
 * Synchronous: a few `/proc` reads per process, paid only when a function process is stopped.
 */
export function killProcessTree(pid: number): void {
  const found: number[] = [];
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (found.includes(next) || !signal(next, 'SIGSTOP')) continue;
    found.push(next);
    pending.push(...childrenOf(next));
  }
  // The deepest first: a stopped parent cannot reap a killed child, so no pid is freed (and reused) before its turn.
  for (const p of found.reverse()) signal(p, 'SIGKILL');
}
