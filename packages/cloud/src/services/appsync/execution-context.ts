import type { TableEngine } from '../../kernel/types.js';
import type { Caller } from './caller.js';
import type { ModelEvents } from './model-events.js';
import type { NextTokenCodec } from './next-token.js';

/** What every resolver of one request sees (graphql `contextValue`). */
export interface ExecutionContext {
  apiId: string;
  caller: Caller;
  tables: TableEngine;
  /** Model name → physical table name. */
  tableNames: Record<string, string>;
  events: ModelEvents;
  /** Seals and opens the `nextToken`s of lists. */
  nextTokens: NextTokenCodec;
}
