import type { HostingOperations } from '@forte/protocol';
import { awsCall } from './api.js';

/** The hosting service's deploy API (`ForteHosting.<Operation>` at `hosting-api/`), through the console's pipe. */
export function hosting<O extends keyof HostingOperations>(operation: O, input: HostingOperations[O]['input']): Promise<HostingOperations[O]['output']> {
  return awsCall<HostingOperations[O]['output']>('hosting-api/', `ForteHosting.${operation}`, input);
}

/**
 * The numbers below the newest listed that are not listed: deployments collection forgot, as ranges
 * (`[1, 4]` for #1 to #4), oldest first.
 */
export function forgottenNumbers(listed: readonly number[]): [number, number][] {
  const present = new Set(listed);
  const ranges: [number, number][] = [];
  const newest = Math.max(0, ...listed);
  for (let n = 1; n < newest; n++) {
    if (present.has(n)) continue;
    const last = ranges.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else ranges.push([n, n]);
  }
  return ranges;
}
