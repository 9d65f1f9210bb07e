import type { GraphQLPlanModel, GraphQLPlanRelation } from '@forte/protocol';
import { itemRuleAllows, modelRules, operationAccess } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { notAuthorized } from './field-error.js';
import { fromItem } from './item-values.js';
import { listItems, type Connection } from './list-items.js';
import { primaryKeyOf } from './model-keys.js';
import { hasExpired } from './tombstones.js';

type Plain = Record<string, unknown>;

/**
 * A relation field: hasMany queries the related model's index (or primary key) with the source's values;
 * hasOne and belongsTo get the related item by its key. The related model's own rules apply (lists are
 * filtered to what the caller may see; a related item the caller may not read is an error on the field).
 */
export async function resolveRelation(
  ctx: ExecutionContext,
  input: { relation: GraphQLPlanRelation; related: GraphQLPlanModel; source: Plain; args: Plain; typeName: string },
): Promise<Connection | Plain | null> {
  const { relation, related, source, args } = input;
  const values = relation.sourceFields.map((f) => source[f]);
  const rules = modelRules(related);
  if (relation.kind === 'hasMany') {
    const access = operationAccess(ctx.caller, rules, 'list');
    if (access.kind === 'none') throw notAuthorized(relation.field, input.typeName);
    const key = relation.indexName ? related.indexes.find((i) => i.name === relation.indexName) : related.primaryKey;
    if (!key || values[0] === undefined || values[0] === null) return { items: [], nextToken: null, totalCount: () => Promise.resolve(0) };
    // Further source fields match the key's sort fields exactly.
    const rest = values.slice(1);
    const sortCondition =
      rest.length === 0 ? undefined : { eq: key.sortKeyFields.length > 1 ? Object.fromEntries(key.sortKeyFields.map((f, i) => [f, rest[i]])) : rest[0] };
    const sortArg = key.sortKeyFields.length > 0 && rest.length === 0 ? argForSort(key.sortKeyFields, args) : undefined;
    return listItems(ctx, {
      model: related,
      key,
      ...(relation.indexName ? { indexName: relation.indexName } : {}),
      partitionValue: values[0],
      sortCondition: sortCondition ?? sortArg,
      filter: args.filter as Plain | null | undefined,
      limit: (args.limit as number | null | undefined) ?? relation.limit ?? null,
      nextToken: args.nextToken as string | null | undefined,
      sortDirection: args.sortDirection as 'ASC' | 'DESC' | null | undefined,
      access,
    });
  }
  const access = operationAccess(ctx.caller, rules, 'get');
  if (access.kind === 'none') throw notAuthorized(relation.field, input.typeName);
  if (values.some((v) => v === undefined || v === null)) return null;
  const target = Object.fromEntries(relation.targetFields.map((f, i) => [f, values[i]]));
  let item: Plain | undefined;
  const targetIsPrimary =
    relation.targetFields[0] === related.primaryKey.partitionField && relation.targetFields.slice(1).join() === related.primaryKey.sortKeyFields.join();
  if (targetIsPrimary) {
    const key = primaryKeyOf(related, target);
    const found = key && (await ctx.tables.get({ table: ctx.tableNames[related.name]!, key }));
    item = found ? fromItem(found) : undefined;
    // An expired tombstone is gone, as get answers it.
    if (item && related.versioned && hasExpired(item, ctx.clock?.() ?? Date.now())) item = undefined;
  } else {
    const index = related.indexes.find((i) => i.partitionField === relation.targetFields[0]);
    const page = await listItems(ctx, {
      model: related,
      key: index ?? related.primaryKey,
      ...(index ? { indexName: index.name } : {}),
      partitionValue: values[0],
      filter: Object.fromEntries(relation.targetFields.slice(1).map((f, i) => [f, { eq: values[i + 1] }])),
      limit: 1000,
      access: { kind: 'all' },
      lookup: true,
    });
    item = page.items[0];
  }
  if (!item) return null;
  if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, item))) throw notAuthorized(relation.field, input.typeName);
  return item;
}

function argForSort(sortKeyFields: string[], args: Plain): Plain | undefined {
  const name = sortKeyFields.map((f, i) => (i === 0 ? f : f.charAt(0).toUpperCase() + f.slice(1))).join('');
  const value = args[name];
  return value && typeof value === 'object' ? (value as Plain) : undefined;
}
