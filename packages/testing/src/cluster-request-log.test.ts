import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestControlClient } from './control-client.js';
import { clusterSkipReason, startCluster, type TestCluster } from './start-cluster.js';

// Every instance writes the requests it answered to the shared request log: one instance reads them all.
const skip = await clusterSkipReason();

void describe('the request log on a cluster (two instances, one PostgreSQL)', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(() => cluster.close());

  void it("lists through A the requests B answered, and A's own", async () => {
    const missing = async (url: string): Promise<string> => {
      const response = await fetch(`${url}/no-such-endpoint`, { method: 'POST', body: '{}' });
      assert.equal(response.status, 404);
      return response.headers.get('x-amzn-requestid') ?? '';
    };
    const fromB = await missing(cluster.b.url);
    const fromA = await missing(cluster.a.url);
    // Each instance writes its batch within a second (the other's buffer is not flushed by a read here).
    const listed = async (reader: TestCluster['a']): Promise<string[]> =>
      (await createTestControlClient(reader).call('ListRequestLog', { status: '404', principal: 'anonymous' })).requests
        .filter((r) => r.path === '/no-such-endpoint')
        .map((r) => r.requestId)
        .sort();
    for (const [reader, name] of [
      [cluster.a, 'A'],
      [cluster.b, 'B'],
    ] as const) {
      let seen = await listed(reader);
      for (let tries = 0; seen.length < 2 && tries < 250; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await listed(reader);
      }
      assert.deepEqual(seen, [fromA, fromB].sort(), `read through ${name}`);
    }
  });
});
