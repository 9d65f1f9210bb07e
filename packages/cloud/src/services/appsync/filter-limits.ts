import type { GraphQLLimits } from './graphql-limits.js';
import { AppSyncFieldError } from './field-error.js';

const COMBINATORS = new Set(['and', 'or', 'not']);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Refuses a `filter` (or `condition`) argument with more conditions than `maxFilterTerms` or `and` / `or` /
 * `not` nested deeper than `maxFilterDepth`, before anything is built from it: list filters become one
 * DynamoDB expression evaluated on every item read, search and subscription filters run per item too.
 * Each operator of a field counts one (each value of an `in` / `notIn` list one), and so does each filter
 * an `and` / `or` / `not` combines. The walk uses no
 * recursion and stops at the first limit passed. `what` names the argument in the message.
 */
export function checkFilterSize(filter: unknown, limits: Pick<GraphQLLimits, 'maxFilterTerms' | 'maxFilterDepth'>, what = 'filter'): void {
  if (!isRecord(filter)) return;
  let terms = 0;
  const count = (n: number): void => {
    terms += n;
    if (terms > limits.maxFilterTerms)
      throw new AppSyncFieldError(
        'ValidationError',
        `The ${what} has more than ${limits.maxFilterTerms} conditions (graphql.maxFilterTerms of the cloud's config.json).`,
      );
  };
  const pending: Array<{ filter: Record<string, unknown>; depth: number }> = [{ filter, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [key, value] of Object.entries(next.filter)) {
      if (value === undefined || value === null) continue;
      if (COMBINATORS.has(key)) {
        if (next.depth + 1 > limits.maxFilterDepth)
          throw new AppSyncFieldError(
            'ValidationError',
            `The ${what} nests and / or / not deeper than ${limits.maxFilterDepth} levels (graphql.maxFilterDepth of the cloud's config.json).`,
          );
        const inners = Array.isArray(value) ? value : [value];
        count(inners.length);
        for (const inner of inners) if (isRecord(inner)) pending.push({ filter: inner, depth: next.depth + 1 });
      } else if (isRecord(value)) {
        for (const operand of Object.values(value))
          count(Array.isArray(operand) ? Math.max(1, operand.length) : isRecord(operand) ? Math.max(1, Object.keys(operand).length) : 1);
      } else {
        count(1);
      }
    }
  }
}
