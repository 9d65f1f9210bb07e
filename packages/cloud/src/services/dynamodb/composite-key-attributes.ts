import type { AttributeValue, TableItem } from '../../kernel/types.js';
import { validationError } from './errors.js';

/**
 * A key attribute that holds other attributes joined by `#` (the GraphQL API's composite sort keys: `a#b`
 * holds `a` and `b`). The API writes it with every item; a key change or a new index computes it for the
 * items written before it existed.
 */
export interface CompositeKeyAttribute {
  name: string;
  parts: string[];
}

/** `CompositeKeyAttributes` of a `Forte::DynamoDB::Table`: `[{ AttributeName, SourceAttributes }]` (none when absent). */
export function parseCompositeKeyAttributes(value: unknown): CompositeKeyAttribute[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validationError('CompositeKeyAttributes must be a list of { AttributeName, SourceAttributes }');
  return value.map((entry: unknown) => {
    const { AttributeName: name, SourceAttributes: parts } = (entry ?? {}) as { AttributeName?: unknown; SourceAttributes?: unknown };
    if (typeof name !== 'string' || !Array.isArray(parts) || parts.length < 2 || !parts.every((p): p is string => typeof p === 'string')) {
      throw validationError(`CompositeKeyAttributes: ${JSON.stringify(entry)} needs an AttributeName and at least two SourceAttributes`);
    }
    return { name, parts };
  });
}

/** A part as the API joins it (its plain value's string form); undefined for a value that cannot be part of a key. */
function partText(value: AttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  if ('S' in value) return value.S;
  if ('N' in value) return String(Number(value.N));
  if ('BOOL' in value) return String(value.BOOL);
  return undefined;
}

/**
 * The item with each composite attribute it lacks computed from its parts (when it has them all);
 * the same object when nothing was missing.
 */
export function withCompositeKeyAttributes(item: TableItem, composites: CompositeKeyAttribute[]): TableItem {
  let out = item;
  for (const composite of composites) {
    if (item[composite.name] !== undefined) continue;
    const parts = composite.parts.map((part) => partText(item[part]));
    if (parts.some((p) => p === undefined)) continue;
    if (out === item) out = { ...item };
    out[composite.name] = { S: parts.join('#') };
  }
  return out;
}
