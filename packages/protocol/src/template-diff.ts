import { diffLines } from './line-diff.js';
import type { Template } from './template.js';

/** Whether two JSON values are the same (templates are JSON: no dates, maps or cycles). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

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
    if (sameJson(old, now)) continue;
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
    const changed = namesOf(a, b).filter((key) => !sameJson(a[key], b[key]));
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

/** How a resource, a property or a stack differs between two templates. */
export type TemplateChangeKind = 'added' | 'removed' | 'changed';

/** One resource of a template that differs from the other template's: which of its properties did, and how. */
export interface ResourceTemplateChange {
  logicalId: string;
  /** The new template's type, or the old one's when the resource was removed. */
  resourceType: string;
  change: TemplateChangeKind;
  /** Its `Properties` members, and `DependsOn`, `Condition`, `Type`…, that were added, removed or changed. */
  properties: { name: string; change: TemplateChangeKind }[];
}

/**
 * The resources that differ between two templates, in the order they first appear: added, removed, or
 * changed with the names of the changed properties (a resource's own keys such as `DependsOn` too).
 */
export function diffTemplateResources(before: Template | undefined, after: Template | undefined): ResourceTemplateChange[] {
  const a = (before?.Resources ?? {}) as Record<string, unknown>;
  const b = (after?.Resources ?? {}) as Record<string, unknown>;
  const typeOf = (value: unknown): string =>
    value && typeof value === 'object' && typeof (value as { Type?: unknown }).Type === 'string' ? (value as { Type: string }).Type : '';
  const flat = (value: unknown): Record<string, unknown> => {
    if (!value || typeof value !== 'object') return {};
    const { Properties, ...rest } = value as { Properties?: Record<string, unknown> };
    return { ...rest, ...(Properties && typeof Properties === 'object' ? Properties : {}) };
  };
  const changes: ResourceTemplateChange[] = [];
  for (const logicalId of namesOf(a, b)) {
    const old = a[logicalId];
    const now = b[logicalId];
    if (sameJson(old, now)) continue;
    if (old === undefined || now === undefined) {
      const kept = now ?? old;
      const properties = Object.keys(flat(kept)).filter((name) => name !== 'Type');
      const change = old === undefined ? 'added' : 'removed';
      changes.push({ logicalId, resourceType: typeOf(kept), change, properties: properties.map((name) => ({ name, change })) });
      continue;
    }
    const [x, y] = [flat(old), flat(now)];
    const properties = namesOf(x, y)
      .filter((name) => !sameJson(x[name], y[name]))
      .map((name) => ({ name, change: (x[name] === undefined ? 'added' : y[name] === undefined ? 'removed' : 'changed') as TemplateChangeKind }));
    changes.push({ logicalId, resourceType: typeOf(now) || typeOf(old), change: 'changed', properties });
  }
  return changes;
}
