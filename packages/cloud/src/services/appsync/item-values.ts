import type { AttributeValue, TableItem } from '../../kernel/types.js';

/** A plain JSON value as a DynamoDB attribute value, the way AppSync's `$util.dynamodb.toDynamoDB` maps it. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (typeof value === 'object') return { M: toItem(value as Record<string, unknown>) };
  return { S: String(value) };
}

export function toItem(value: Record<string, unknown>): TableItem {
  const item: TableItem = {};
  for (const [name, v] of Object.entries(value)) if (v !== undefined) item[name] = toAttributeValue(v);
  return item;
}

/** An attribute value as plain JSON (sets become arrays, numbers JS numbers, binaries base64 strings). */
export function fromAttributeValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('B' in value) return value.B;
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return fromItem(value.M);
  if ('L' in value) return value.L.map(fromAttributeValue);
  if ('SS' in value) return [...value.SS];
  if ('NS' in value) return value.NS.map(Number);
  return [...value.BS];
}

export function fromItem(item: TableItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(item)) out[name] = fromAttributeValue(item[name]!);
  return out;
}
