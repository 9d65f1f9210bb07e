import type { TableItem } from '../../kernel/types.js';
import { AppSyncFieldError } from './field-error.js';

/** A page's LastEvaluatedKey as an opaque `nextToken` (base64 of its JSON), as AppSync's tokens are opaque. */
export function encodeNextToken(key: TableItem | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64') : null;
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B']);

/** Reads a `nextToken` back; a token this API did not hand out is refused, never passed to the table. */
export function decodeNextToken(token: string | null | undefined, keyAttributes: readonly string[]): TableItem | undefined {
  if (token === null || token === undefined || token === '') return undefined;
  const invalid = (): AppSyncFieldError => new AppSyncFieldError('InvalidNextTokenException', 'Invalid pagination token given.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw invalid();
  for (const [name, value] of entries) {
    if (!keyAttributes.includes(name) || typeof value !== 'object' || value === null) throw invalid();
    const kinds = Object.entries(value as Record<string, unknown>);
    if (kinds.length !== 1 || !ATTRIBUTE_TYPES.has(kinds[0]![0]) || typeof kinds[0]![1] !== 'string') throw invalid();
  }
  return parsed as TableItem;
}
