import type { GraphQLPlanAuthRule, GraphQLPlanKey, GraphQLPlanModel } from '@forte/protocol';
import type { TableExpression } from '../../kernel/types.js';
import type { OperationAccess } from './auth-rules.js';
import { callerGroups, ownerCandidates } from './auth-rules.js';
import type { Caller } from './caller.js';
import type { ExecutionContext } from './execution-context.js';
import { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFilterSize } from './filter-limits.js';
import { fromItem } from './item-values.js';
import { keyAttributes, sortAttribute } from './model-keys.js';
import { decodeNextToken, encodeNextToken } from './next-token.js';

/** AppSync's default page size of list queries. */
export const DEFAULT_LIST_LIMIT = 100;

export interface ListRequest {
  model: GraphQLPlanModel;
  /** The key queried: the primary key, or an index's. */
  key: GraphQLPlanKey;
  indexName?: string;
  /** When set: a Query on the key; otherwise a Scan. */
  partitionValue?: unknown;
  /** The sort key condition (`{eq|le|lt|ge|gt|between|beginsWith}`, values composite objects for several fields). */
  sortCondition?: Record<string, unknown> | null;
  filter?: Record<string, unknown> | null;
  limit?: number | null;
  nextToken?: string | null;
  sortDirection?: 'ASC' | 'DESC' | null;
  access: OperationAccess;
}

/** A `Model<X>Connection` as resolvers return it; `totalCount` is computed only when selected. */
export interface Connection {
  items: Array<Record<string, unknown>>;
  nextToken: string | null;
  totalCount: () => Promise<number>;
  startedAt?: number;
}

const compositeValue = (key: GraphQLPlanKey, value: unknown): unknown => {
  if (key.sortKeyFields.length < 2 || typeof value !== 'object' || value === null) return value;
  const parts: string[] = [];
  for (const field of key.sortKeyFields) {
    const part = (value as Record<string, unknown>)[field];
    if (part === undefined || part === null) break;
    parts.push(String(part));
  }
  return parts.join('#');
};

/** The key condition of a key query (partition equality and the sort key condition). */
function keyCondition(request: ListRequest): TableExpression {
  const b = new ExpressionBuilder('k');
  const parts = [`${b.name(request.key.partitionField)} = ${b.value(request.partitionValue)}`];
  const sort = sortAttribute(request.key);
  const condition = request.sortCondition;
  if (sort && condition) {
    const path = b.name(sort);
    const composite = request.key.sortKeyFields.length > 1;
    for (const [op, raw] of Object.entries(condition)) {
      if (raw === undefined || raw === null) continue;
      if (op === 'between') {
        if (!Array.isArray(raw) || raw.length !== 2) throw new AppSyncFieldError('ValidationError', 'between needs two values.');
        parts.push(`${path} BETWEEN ${b.value(compositeValue(request.key, raw[0]))} AND ${b.value(compositeValue(request.key, raw[1]))}`);
        continue;
      }
      const value = compositeValue(request.key, raw);
      const partial = composite && typeof raw === 'object' && Object.values(raw as object).filter((v) => v !== undefined && v !== null).length < request.key.sortKeyFields.length;
      if (op === 'beginsWith' || (op === 'eq' && partial)) parts.push(`begins_with(${path}, ${b.value(op === 'eq' ? `${String(value)}#` : value)})`);
      else if (op === 'eq') parts.push(`${path} = ${b.value(value)}`);
      else if (op === 'le' || op === 'lt' || op === 'ge' || op === 'gt') parts.push(`${path} ${{ le: '<=', lt: '<', ge: '>=', gt: '>' }[op]} ${b.value(value)}`);
      else throw new AppSyncFieldError('ValidationError', `Unknown key condition operator ${op}.`);
    }
  }
  return b.expression(parts.join(' AND '));
}

/**
 * The auth filter of a list under owner or dynamic group rules (AppSync's `authFilter`): only the
 * caller's items come back, as a filter, never as an error.
 */
export function authFilterText(b: ExpressionBuilder, caller: Caller, model: GraphQLPlanModel, rules: readonly GraphQLPlanAuthRule[]): string {
  const alternatives: string[] = [];
  const isList = (field: string): boolean => model.fields.find((f) => f.name === field)?.isList === true;
  for (const rule of rules) {
    const field = rule.strategy === 'owner' ? (rule.ownerField ?? 'owner') : rule.groupsField!;
    const values = rule.strategy === 'owner' ? ownerCandidates(caller, rule) : callerGroups(caller, rule);
    const path = b.name(field);
    for (const value of values) alternatives.push(isList(field) ? `contains(${path}, ${b.value(value)})` : `${path} = ${b.value(value)}`);
  }
  if (alternatives.length > 0) return `(${alternatives.join(' OR ')})`;
  // operationAccess only hands over rules the caller has a value for; should none reach here, nothing matches.
  const path = b.name(model.primaryKey.partitionField);
  return `(attribute_exists(${path}) AND attribute_not_exists(${path}))`;
}

/** Runs a list, an index query or a hasMany field: one page, with filters, auth filter and an opaque token. */
export async function listItems(ctx: ExecutionContext, request: ListRequest): Promise<Connection> {
  const { model } = request;
  const table = ctx.tableNames[model.name]!;
  checkFilterSize(request.filter, ctx.limits);
  const b = new ExpressionBuilder('f');
  const parts = [b.filter(request.filter ?? undefined), request.access.kind === 'items' ? authFilterText(b, ctx.caller, model, request.access.rules) : undefined].filter(
    (p): p is string => p !== undefined,
  );
  const filter = parts.length > 0 ? b.expression(parts.join(' AND ')) : undefined;
  const limit = request.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new AppSyncFieldError('ValidationError', 'limit must be a positive integer.');
  const exclusiveStartKey = decodeNextToken(request.nextToken, keyAttributes(model));
  const query = request.partitionValue !== undefined && request.partitionValue !== null;
  const keyCond = query ? keyCondition(request) : undefined;
  const base = {
    table,
    ...(request.indexName ? { index: request.indexName } : {}),
    ...(filter ? { filter } : {}),
    limit,
    ...(exclusiveStartKey ? { exclusiveStartKey } : {}),
  };
  const page = keyCond ? await ctx.tables.query({ ...base, keyCondition: keyCond, scanIndexForward: request.sortDirection !== 'DESC' }) : await ctx.tables.scan(base);
  return {
    items: page.items.map(fromItem),
    nextToken: encodeNextToken(page.lastEvaluatedKey),
    totalCount: () =>
      ctx.tables.count({ table, ...(request.indexName ? { index: request.indexName } : {}), ...(keyCond ? { keyCondition: keyCond } : {}), ...(filter ? { filter } : {}) }),
  };
}
