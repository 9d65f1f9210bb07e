import { randomBytes } from 'node:crypto';

/** A new X-Ray trace id as AWS services start traces: `1-<epoch seconds, 8 hex digits>-<24 random hex digits>`. */
export function newTraceRoot(now = Date.now()): string {
  return `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

const TRACE_ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/;
const TRACE_SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/;

/** The trace an `X-Amzn-Trace-Id` header names (its `Root` and `Sampled`), when it names a well-formed one. */
export function traceOf(header: string | undefined): { root: string; sampled: '0' | '1' | undefined } | undefined {
  const root = header === undefined ? undefined : TRACE_ROOT.exec(header)?.[1];
  if (root === undefined) return undefined;
  return { root, sampled: TRACE_SAMPLED.exec(header!)?.[1] as '0' | '1' | undefined };
}
