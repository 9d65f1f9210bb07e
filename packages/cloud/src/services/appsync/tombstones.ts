import type { ExpressionBuilder } from './expression-builder.js';

/**
 * AppSync's BaseTableTTL as the transformer emits it (`SyncUtils.syncDataSourceConfig`: 43 200 minutes, 30
 * days): how long a deleted item of a versioned model stays as a tombstone (`_ttl`), and so how far back a
 * delta sync can still see every delete.
 */
export const BASE_TABLE_TTL_MS = 43_200 * 60_000;

/**
 * Items whose `_ttl` (epoch seconds) has not passed at `nowMs`, or that have none, as a filter condition.
 * DynamoDB's TTL sweep (services/dynamodb/ttl-sweeper.ts) deletes an item once `_ttl` is in the past; between
 * that moment and the sweep, reads must not serve it either.
 */
export function liveItemCondition(b: ExpressionBuilder, nowMs: number): string {
  const ttl = b.name('_ttl');
  return `(attribute_not_exists(${ttl}) OR ${ttl} >= ${b.value(nowMs / 1000)})`;
}

/** Whether an item (as resolvers see it) has a `_ttl` that has passed at `nowMs`. */
export function hasExpired(item: Record<string, unknown>, nowMs: number): boolean {
  const ttl = item._ttl;
  return typeof ttl === 'number' && ttl < nowMs / 1000;
}
