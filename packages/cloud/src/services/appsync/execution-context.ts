import type { TableEngine } from '../../kernel/types.js';
import type { GraphQLLimits } from './graphql-limits.js';
import type { Caller } from './caller.js';
import type { ModelEvents } from './model-events.js';
import type { NextTokenCodec } from './next-token.js';
import type { ResolverRequest } from './resolver-identity.js';
import { createRequestBudget, meteredTables, type RequestBudget } from './request-budget.js';

/** What every resolver of one request sees (graphql `contextValue`). */
export interface ExecutionContext {
  apiId: string;
  caller: Caller;
  /** The table engine, metered by `budget` when the context has one. */
  tables: TableEngine;
  /** Model name → physical table name. */
  tableNames: Record<string, string>;
  events: ModelEvents;
  /** Seals and opens the `nextToken`s of lists. */
  nextTokens: NextTokenCodec;
  /** The cloud's GraphQL limits (filter sizes are checked against them). */
  limits: GraphQLLimits;
  /** The HTTP request's headers and address, for `@function` events (absent when rendering subscription events). */
  request?: ResolverRequest;
  /**
   * The clock (epoch ms) that tells a DataStore sync's `lastSync` inside the delta window from one outside it,
   * and expired tombstones from live ones; absent: `Date.now`. Writes stamp `_lastChangedAt` from `Date.now`.
   */
  clock?: () => number;
  /** The work this execution has left: each request and each subscription event's render gets its own. */
  budget?: RequestBudget;
}

/** `context` with a fresh budget for one execution, its tables metered by it. */
export function withFreshBudget(context: ExecutionContext): ExecutionContext & { budget: RequestBudget } {
  const budget = createRequestBudget(context.limits);
  return { ...context, tables: meteredTables(context.tables, budget), budget };
}
