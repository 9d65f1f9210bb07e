import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertByOrder } from './route-order.js';
import type { Route, RouteOrder } from './types.js';

const route = (name: string, order?: RouteOrder): Route => ({
  name,
  errorFormat: 'text',
  ...(order ? { order } : {}),
  match: { raw: () => true },
  handle: async () => undefined,
});

void describe('insertByOrder', () => {
  void it('keeps routes by declared order, and by arrival within one order', () => {
    const routes: Route[] = [];
    for (const r of [route('catch-all', 'fallback'), route('s3'), route('site', 'host'), route('api', 'prefix'), route('other-site', 'host')])
      insertByOrder(routes, r);
    assert.deepEqual(
      routes.map((r) => r.name),
      ['site', 'other-site', 's3', 'api', 'catch-all'],
    );
  });
});
