import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONTROL_TARGET_PREFIX } from '@forte/protocol';
import { createTestControlClient } from './control-client.js';
import { clusterSkipReason, startCluster, type TestCluster } from './start-cluster.js';

// The console's login links and sessions live in the shared database: a link made through one instance signs
// in through another, once, and the session it gives works on every instance.
const skip = await clusterSkipReason();

void describe('the web console on a cluster (two instances, one PostgreSQL)', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(() => cluster.close());

  void it('a login link made through A signs in through B once, and B’s session calls the pipe through A', async () => {
    const { url } = await createTestControlClient(cluster.a).call('CreateConsoleLoginLink', {});
    const token = new URL(url).searchParams.get('token')!;
    const throughB = `${cluster.b.url}/_forte/console/login?token=${token}`;
    const first = await fetch(throughB, { redirect: 'manual' });
    assert.equal(first.status, 303);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await fetch(`${cluster.a.url}/_forte/console/login?token=${token}`, { redirect: 'manual' })).status, 401, 'used once across instances');

    const session = (await (await fetch(`${cluster.b.url}/_forte/console/api/session`, { headers: { cookie } })).json()) as {
      signedIn: boolean;
      csrfToken: string;
    };
    assert.equal(session.signedIn, true);
    const listed = await fetch(`${cluster.a.url}${CONSOLE_PIPE_PATH}control/`, {
      method: 'POST',
      headers: { cookie, [CONSOLE_CSRF_HEADER]: session.csrfToken, 'x-amz-target': `${CONTROL_TARGET_PREFIX}ListApps` },
      body: '{}',
    });
    assert.equal(listed.status, 200, await listed.clone().text());
    assert.ok(Array.isArray(((await listed.json()) as { apps: unknown[] }).apps));
  });
});
