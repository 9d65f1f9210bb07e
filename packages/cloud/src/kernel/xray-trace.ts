import { randomUUID } from 'node:crypto';

/**
 * `digits` random hex digits, from `randomUUID` (30 random digits each, its version and variant left out): it draws
 * on node's cached entropy, where a `randomBytes` call per id cost about ten times as much on a request's path.
 */
function randomHex(digits: number): string {
  let hex = '';
  while (hex.length < digits) {
    const uuid = randomUUID();
    hex += uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(15, 18) + uuid.slice(20, 23) + uuid.slice(24);
  }
  return hex.slice(0, digits);
}

/** A new X-Ray trace id as AWS services start traces: `1-<epoch seconds, 8 hex digits>-<24 random hex digits>`. */
export function newTraceRoot(now = Date.now()): string {
  return `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomHex(24)}`;
}

/** A new X-Ray segment id (a trace header's `Parent`): 16 random hex digits. */
export function newTraceParent(): string {
  return randomHex(16);
}

const TRACE_ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/;
const TRACE_SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/;

/** The trace an `X-Amzn-Trace-Id` header names (its `Root` and `Sampled`), when it names a well-formed one. */
export function traceOf(header: string | undefined): { root: string; sampled: '0' | '1' | undefined } | undefined {
  const root = header === undefined ? undefined : TRACE_ROOT.exec(header)?.[1];
  if (root === undefined) return undefined;
  return { root, sampled: TRACE_SAMPLED.exec(header!)?.[1] as '0' | '1' | undefined };
}
