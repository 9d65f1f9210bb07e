/**
 * Runs `work` and answers what it returned and the CPU time the process spent on it, in milliseconds. Tests
 * that bound how long a computation may take compare this, not the wall clock: on a busy machine the wall
 * clock also counts the time other processes had the cores, and such a test would fail for no fault of the code.
 */
export function cpuTime<T>(work: () => T): { result: T; ms: number } {
  const before = process.cpuUsage();
  const result = work();
  const spent = process.cpuUsage(before);
  return { result, ms: (spent.user + spent.system) / 1000 };
}
