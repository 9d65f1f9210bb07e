import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCloud } from './server.js';

void describe("the cloud's own routes", () => {
  void it('match on the path, so that a request is routed without parsing its URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-route-matchers-'));
    const cloud = await createCloud({ dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'warn' });
    try {
      // A `url` matcher is called with the parsed URL, so every request that reaches it pays for parsing one
      // (about a microsecond and an object, on every Invoke when such a route came before Lambda's).
      const parsing = cloud.kernel.urlRoutes.filter((route) => 'url' in route.match).map((route) => route.name);
      assert.deepEqual(parsing, []);
    } finally {
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
