import type { GraphQLPlanKey, GraphQLPlanModel } from '@forte/protocol';
import type { TableItem } from '../../kernel/types.js';
import { toAttributeValue } from './item-values.js';

/** The attribute that stores a key's sort key: the field itself, or the synthetic `a#b` for several. */
export const sortAttribute = (key: GraphQLPlanKey): string | undefined =>
  key.sortKeyFields.length > 1 ? (key.compositeSortKeyAttribute ?? key.sortKeyFields.join('#')) : key.sortKeyFields[0];

/** The name of the sort key condition argument of a key query (`createdAt`, or `statusCreatedAt` for several). */
export const sortArgumentName = (key: GraphQLPlanKey): string | undefined =>
  key.sortKeyFields.length === 0
    ? undefined
    : key.sortKeyFields.map((f, i) => (i === 0 ? f.charAt(0).toLowerCase() + f.slice(1) : f.charAt(0).toUpperCase() + f.slice(1))).join('');

/** Every attribute that is part of a key of the model's table (primary and indexes). */
export function keyAttributes(model: GraphQLPlanModel): string[] {
  const names = new Set<string>();
  for (const key of [model.primaryKey, ...model.indexes]) {
    names.add(key.partitionField);
    const sort = sortAttribute(key);
    if (sort) names.add(sort);
  }
  return [...names];
}

/** The primary key of an item (plain values), as a table key; undefined when a part is missing. */
export function primaryKeyOf(model: GraphQLPlanModel, values: Record<string, unknown>): TableItem | undefined {
  const { primaryKey } = model;
  const partition = values[primaryKey.partitionField];
  if (partition === undefined || partition === null) return undefined;
  const key: TableItem = { [primaryKey.partitionField]: toAttributeValue(partition) };
  const sort = sortAttribute(primaryKey);
  if (sort) {
    const parts = primaryKey.sortKeyFields.map((f) => values[f]);
    if (parts.some((p) => p === undefined || p === null)) return undefined;
    key[sort] = primaryKey.sortKeyFields.length > 1 ? { S: parts.map(String).join('#') } : toAttributeValue(parts[0]);
  }
  return key;
}

/** Sets the synthetic composite sort key attributes (primary key and indexes) from their parts, when all are present. */
export function withCompositeKeys(model: GraphQLPlanModel, item: Record<string, unknown>): Record<string, unknown> {
  const out = { ...item };
  for (const key of [model.primaryKey, ...model.indexes]) {
    if (key.sortKeyFields.length < 2) continue;
    const parts = key.sortKeyFields.map((f) => out[f]);
    if (parts.every((p) => p !== undefined && p !== null)) out[sortAttribute(key)!] = parts.map(String).join('#');
  }
  return out;
}
