import { performance } from 'node:perf_hooks';
import {
  defaultFieldResolver,
  GraphQLObjectType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { TableEngine } from '../../kernel/types.js';
import type { GraphQLLimits } from './graphql-limits.js';
import { AppSyncFieldError, notAuthorized } from './field-error.js';

/** The work one execution has left; each charge past a limit throws BudgetExceededError. */
export interface RequestBudget {
  /** One table call (get, a page of a list, query or scan, count, write). */
  call(): void;
  /** Items a table call read. */
  itemsRead(count: number): void;
  /** One field resolved. */
  field(): void;
  /** How many more items the table calls may read. */
  itemsLeft(): number;
  /** The first limit passed, once one has been: the execution's answer is this error alone. */
  readonly exceeded: BudgetExceededError | undefined;
}

/** An execution asked for more work than one request may do; the message names the limit and the setting. */
export class BudgetExceededError extends AppSyncFieldError {
  constructor(message: string) {
    super('LimitExceededException', message);
  }
}

type CostLimits = Pick<GraphQLLimits, 'maxResolverCalls' | 'maxItemsRead' | 'maxResultFields'>;

/** A fresh budget for one request, or for one render of a subscription event. */
export function createRequestBudget(limits: CostLimits): RequestBudget {
  let calls = 0;
  let items = 0;
  let fields = 0;
  let exceeded: BudgetExceededError | undefined;
  const fail = (what: string, limit: number, setting: keyof CostLimits): never => {
    exceeded ??= new BudgetExceededError(`The request needs more than ${limit} ${what} (graphql.${setting} of the cloud's config.json).`);
    throw exceeded;
  };
  return {
    call() {
      if (exceeded) throw exceeded;
      if (++calls > limits.maxResolverCalls) fail('table reads and writes', limits.maxResolverCalls, 'maxResolverCalls');
    },
    itemsRead(count) {
      if (exceeded) throw exceeded;
      items += count;
      if (items > limits.maxItemsRead) fail('items read', limits.maxItemsRead, 'maxItemsRead');
    },
    field() {
      if (exceeded) throw exceeded;
      if (++fields > limits.maxResultFields) fail('fields in its answer', limits.maxResultFields, 'maxResultFields');
    },
    itemsLeft: () => Math.max(0, limits.maxItemsRead - items),
    get exceeded() {
      return exceeded;
    },
  };
}

/** How long one execution's table calls may hold the event loop before they let other requests in. */
export const YIELD_AFTER_MS = 10;

/**
 * The table engine as one execution sees it: every call is charged to its budget before it runs, and the
 * items it read after. Relations, lists, searches and counts all reach tables through it, so the budget
 * bounds their fan-out however the document nests them.
 */
export function meteredTables(tables: TableEngine, budget: RequestBudget): TableEngine {
  // The table engine may answer synchronously (SQLite), and graphql-js runs resolvers in microtasks: a
  // request of many calls would then hold the event loop for all of them. After YIELD_AFTER_MS of calls, the
  // next one waits for the event loop's turn, so other requests are served in between.
  let since = performance.now();
  const call = async (): Promise<void> => {
    budget.call();
    if (performance.now() - since < YIELD_AFTER_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
  return {
    async get(input) {
      await call();
      const item = await tables.get(input);
      budget.itemsRead(item ? 1 : 0);
      return item;
    },
    async query(input) {
      await call();
      const page = await tables.query(input);
      budget.itemsRead(page.scannedCount);
      return page;
    },
    async scan(input) {
      await call();
      const page = await tables.scan(input);
      budget.itemsRead(page.scannedCount);
      return page;
    },
    async count(input) {
      await call();
      // A count reads every item it counts, in one call: it may read only what the budget has left.
      let scanned = 0;
      try {
        return await tables.count({ ...input, maxScanned: budget.itemsLeft() + 1, onScanned: (items) => (scanned = items) });
      } finally {
        budget.itemsRead(scanned);
      }
    },
    async put(input) {
      await call();
      return tables.put(input);
    },
    async update(input) {
      await call();
      return tables.update(input);
    },
    async delete(input) {
      await call();
      return tables.delete(input);
    },
  };
}

/** What a resolver's context offers for metering (an ExecutionContext, or anything else without one). */
const budgetOf = (context: unknown): RequestBudget | undefined => (context as { budget?: RequestBudget } | null | undefined)?.budget;

/** The fields a Lambda authorizer denied the caller (`Type.field`), from an ExecutionContext. */
const deniedOf = (context: unknown): ReadonlySet<string> | undefined =>
  (context as { caller?: { deniedFields?: ReadonlySet<string> } } | null | undefined)?.caller?.deniedFields;

type Resolver = GraphQLFieldResolver<unknown, unknown>;

/** Metering wrappers → the resolver they wrap (undefined: graphql's default resolver). */
const wrappedResolvers = new WeakMap<Resolver, Resolver | undefined>();

function meter(resolve: Resolver | undefined): Resolver {
  if (resolve && wrappedResolvers.has(resolve)) return resolve;
  const inner = resolve ?? defaultFieldResolver;
  const wrapped: Resolver = (source, args, context, info) => {
    budgetOf(context)?.field();
    const denied = deniedOf(context);
    if (denied !== undefined && denied.size > 0 && denied.has(`${info.parentType.name}.${info.fieldName}`)) {
      throw notAuthorized(info.fieldName, info.parentType.name);
    }
    return inner(source, args, context, info);
  };
  wrappedResolvers.set(wrapped, resolve);
  return wrapped;
}

/** The field's own resolver, behind its metering: undefined when graphql's default resolver answers it. */
export function ownResolver(resolve: Resolver | undefined): Resolver | undefined {
  return resolve && wrappedResolvers.has(resolve) ? wrappedResolvers.get(resolve) : resolve;
}

/**
 * Charges every field graphql-js resolves in `schema` to the budget of the execution's context (and
 * refuses, as AppSync does, the fields a Lambda authorizer listed in `deniedFields`): the
 * schema's own fields, the introspection types' (shared by every schema, wrapped once) and `__typename`,
 * so no selection, aliased as often as the document limits allow, runs unmetered. A context without a
 * budget is not charged.
 */
export function meterFieldResolvers(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType)) continue;
    for (const field of Object.values(type.getFields())) field.resolve = meter(field.resolve);
  }
  for (const meta of [SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef]) meta.resolve = meter(meta.resolve);
}
