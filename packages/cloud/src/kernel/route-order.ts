import type { Route, RouteOrder } from './types.js';

/** The rank of each `RouteOrder`: lower ranks are tried first. */
export const ROUTE_RANKS: Readonly<Record<RouteOrder, number>> = { host: 0, prefix: 1, fallback: 2 };

/**
 * Inserts `route` after every route of its rank or a lower one, so a list kept with it stays sorted by
 * `order` and, within a rank, by arrival.
 */
export function insertByOrder(routes: Route[], route: Route): void {
  const rank = ROUTE_RANKS[route.order ?? 'prefix'];
  const at = routes.findIndex((other) => ROUTE_RANKS[other.order ?? 'prefix'] > rank);
  if (at === -1) routes.push(route);
  else routes.splice(at, 0, route);
}
