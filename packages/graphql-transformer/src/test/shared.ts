/**
 * Test support: reading the shared reference files (found with `@forte/protocol/shared-reference`) and
 * comparing schemas the way the references are meant to be compared (whitespace and definition order aside).
 */
import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import type { DefinitionNode } from 'graphql';

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

const key = (d: DefinitionNode): string => `${d.kind}:${'name' in d && d.name ? d.name.value : ''}`;

/** Definitions of a schema, printed one by one, keyed by kind and name. */
export const normalisedDefinitions = (sdl: string): Map<string, string> => {
  const defs = [...parse(sdl, { noLocation: true }).definitions].sort((a, b) => key(a).localeCompare(key(b)));
  return new Map(defs.map((d) => [key(d), print(d)]));
};

const lineDiff = (expected: string, actual: string): string[] => {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`    + ${b[j++]}`);
    else out.push(`    - ${a[i++]}`);
  }
  return out;
};

/** A compact diff of two schemas after normalisation, empty when they are equal. */
export const schemaDiff = (expected: string, actual: string): string => {
  const e = normalisedDefinitions(expected);
  const a = normalisedDefinitions(actual);
  const out: string[] = [];
  for (const [k, v] of e) {
    const got = a.get(k);
    if (got === undefined) out.push(`  missing ${k}`);
    else if (got !== v) out.push(`  differs ${k}`, ...lineDiff(v, got));
  }
  for (const k of a.keys()) if (!e.has(k)) out.push(`  unexpected ${k}`);
  return out.join('\n');
};
