/**
 * What one GraphQL request (or one subscription event's render) may ask of the cloud: the document's size,
 * checked before validation, and the work its execution may do. Defaults in query-limits.ts.
 */
export interface GraphQLLimits {
  /** Largest query text, in bytes. */
  maxQueryBytes: number;
  /** Deepest field nesting (fragments followed). */
  maxQueryDepth: number;
  /** Most lexical tokens of the query text (names, punctuators, values). */
  maxQueryTokens: number;
  /** Most field selections, each fragment spread counting its fragment's fields again. */
  maxQueryFields: number;
  /** Most selections of one response name at one place of the result (fragments merged). */
  maxFieldRepeats: number;
  /** Most table calls (gets, list and relation pages, counts, writes) of one execution. */
  maxResolverCalls: number;
  /** Most items the table calls of one execution may read (scanned, before filters). */
  maxItemsRead: number;
  /** Most fields one execution may resolve (every field of every item answered). */
  maxResultFields: number;
  /** Most conditions in one filter argument (each operator of each field, each `in` value). */
  maxFilterTerms: number;
  /** Deepest nesting of `and` / `or` / `not` in one filter argument. */
  maxFilterDepth: number;
  /** Most subscriptions one realtime connection may hold at once (each renders every event it matches). */
  maxSubscriptionsPerConnection: number;
}
