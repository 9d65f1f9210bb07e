import { isDeepStrictEqual } from 'node:util';
import type { Template } from '@forte/protocol';
import { diffLines } from './line-diff.js';

/** A value as one line of the diff (JSON). */
function shown(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** Past this length, or over several lines, a changed value is diffed line by line rather than shown whole. */
const LONG_VALUE = 80;

/** A value as lines to diff: a string's own lines, anything else as indented JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? 'undefined');
}

const isLong = (value: unknown): boolean => value !== undefined && (shown(value).length > LONG_VALUE || (typeof value === 'string' && value.includes('\n')));

/**
 * Lines for a changed value, under `indent`: `[-]`/`[+]` with the old and new value, or, when both are long
 * (a GraphQL schema, a resolver plan), the hunks of their line diff, so one dropped field is one line.
 */
function changeLines(indent: string, before: unknown, after: unknown): string[] {
  const lines: string[] = [];
  if (isLong(before) && isLong(after)) return diffLines(textOf(before), textOf(after)).map((line) => `${indent}${line}`);
  if (before !== undefined) lines.push(`${indent}${after === undefined ? '└─' : '├─'} [-] ${shown(before)}`);
  if (after !== undefined) lines.push(`${indent}└─ [+] ${shown(after)}`);
  return lines;
}

/** The names in either record, in the order they first appear. */
function namesOf(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  return [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
}

/** One section (Parameters, Resources, Outputs): `[+]` added, `[-]` removed, `[~]` changed with its changed members. */
function sectionLines(title: string, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  const lines: string[] = [];
  for (const name of namesOf(before, after)) {
    const old = before?.[name];
    const now = after?.[name];
    if (isDeepStrictEqual(old, now)) continue;
    const type = (value: unknown): string =>
      title === 'Resources' && value && typeof value === 'object' && typeof (value as { Type?: unknown }).Type === 'string'
        ? `${(value as { Type: string }).Type} `
        : '';
    if (old === undefined) {
      lines.push(`[+] ${type(now)}${name}`);
      continue;
    }
    if (now === undefined) {
      lines.push(`[-] ${type(old)}${name}`);
      continue;
    }
    lines.push(`[~] ${type(now)}${name}`);
    // A resource's changes are shown per property; anything else as a whole.
    const inner = (value: unknown): Record<string, unknown> | undefined => {
      if (title !== 'Resources' || !value || typeof value !== 'object') return undefined;
      const { Properties, ...rest } = value as { Properties?: Record<string, unknown> };
      return { ...rest, ...(Properties ?? {}) };
    };
    const [a, b] = [inner(old), inner(now)];
    if (!a || !b) {
      lines.push(...changeLines(' ', old, now));
      continue;
    }
    const changed = namesOf(a, b).filter((key) => !isDeepStrictEqual(a[key], b[key]));
    changed.forEach((key, i) => {
      const last = i === changed.length - 1;
      lines.push(` ${last ? '└─' : '├─'} [${a[key] === undefined ? '+' : b[key] === undefined ? '-' : '~'}] ${key}`);
      lines.push(...changeLines(` ${last ? ' ' : '│'}   `, a[key], b[key]));
    });
  }
  return lines.length > 0 ? [title, ...lines] : [];
}

/**
 * The differences between a deployed template and the one a push would deploy, in the manner of
 * `amplify status -v` (@aws-cdk/cloudformation-diff): per section, `[+]` added, `[-]` removed, `[~]`
 * changed with the changed properties' old and new values. Empty when they are the same.
 */
export function diffTemplates(before: Template | undefined, after: Template | undefined): string[] {
  const lines: string[] = [];
  for (const section of ['Parameters', 'Resources', 'Outputs'] as const) {
    const part = sectionLines(section, before?.[section] as Record<string, unknown> | undefined, after?.[section] as Record<string, unknown> | undefined);
    if (part.length > 0) lines.push(...(lines.length > 0 ? [''] : []), ...part);
  }
  return lines;
}

/**
 * The differences between the parameter values a resource was deployed with and those a push would pass
 * (a category's `parameters`, such as the API's name or a site's bucket), as one more section.
 */
export function diffParameterValues(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  return sectionLines('Parameter values', before, after);
}
