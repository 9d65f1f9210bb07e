import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Bytes of heap that `work` leaves behind once the collector has run before and after it (`--expose-gc` is set for
 * this process when first called): what a cache keeps of it, not the garbage it made.
 */
export async function heapLeftBy(work: () => unknown): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  await work();
  gc();
  return process.memoryUsage().heapUsed - before;
}
