import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIamService } from '@forte/cloud';
import { dropTestSchema, postgresTestUrl, startTestCloud, testPostgres, type TestCloud } from './index.js';

// A load balancer asks /_forte/ready every couple of seconds. An instance whose database stops answering
// must be taken out within a bounded time and put back once it answers again: the cloud here reaches
// PostgreSQL through a TCP relay the test cuts (connections reset, new ones refused) or stalls (bytes
// swallowed, as a network partition does).
const postgres = await testPostgres();
const skip = postgres.ok ? undefined : `PostgreSQL: ${postgres.reason}`;
if (skip) console.log(`readiness tests skipped: ${skip}`);

type Mode = 'open' | 'down' | 'stalled';

/** A TCP relay to `target` whose connections the test can cut or stall. */
async function startRelay(target: URL): Promise<{ port: number; set(mode: Mode): void; close(): Promise<void> }> {
  let mode: Mode = 'open';
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (mode === 'down') return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // While stalled, bytes are dropped in both directions: queries neither answer nor fail.
    client.on('data', (chunk: Buffer) => void (mode === 'open' && upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (mode === 'open' && client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = (): void => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as { port: number }).port,
    set(next) {
      // Leaving a stall or an outage, the connections that lived through it are dead, as after a partition.
      if (next === 'down' || mode === 'stalled') cutAll();
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}

const readiness = async (cloud: TestCloud): Promise<{ status: number; body: { status: string; reason?: string } }> => {
  const response = await fetch(`${cloud.url}/_forte/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
};

/** Checks readiness every 100 ms, as a balancer would, until `status`; answers the last answer and how long it took. */
async function waitForStatus(cloud: TestCloud, status: number, withinMs: number): Promise<{ body: { status: string; reason?: string }; tookMs: number }> {
  const started = Date.now();
  for (;;) {
    const answer = await readiness(cloud);
    if (answer.status === status) return { body: answer.body, tookMs: Date.now() - started };
    if (Date.now() - started > withinMs) assert.fail(`/_forte/ready still answers ${answer.status} (${JSON.stringify(answer.body)}) after ${withinMs} ms`);
    await sleep(100);
  }
}

void describe('the readiness check of a cloud whose database goes away', { skip }, () => {
  const database = new URL(postgresTestUrl());
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let cloud: TestCloud;
  before(async () => {
    relay = await startRelay(database);
    const through = new URL(database);
    through.host = `127.0.0.1:${relay.port}`;
    cloud = await startTestCloud({ database: through.toString(), services: [createIamService], logLevel: 'warn' });
  });
  after(async () => {
    await cloud?.close();
    await relay?.close();
    await dropTestSchema(database.toString());
  });

  void it('answers 503 within a few seconds of the database refusing connections, and 200 again once it is back', async () => {
    assert.deepEqual(await readiness(cloud), { status: 200, body: { status: 'ready' } });
    relay.set('down');
    // At most the one second a success is trusted, then a failed probe.
    const out = await waitForStatus(cloud, 503, 5000);
    assert.equal(out.body.status, 'not-ready');
    assert.match(out.body.reason ?? '', /^database: /);
    assert.ok(out.tookMs < 3000, `taken out after ${out.tookMs} ms`);
    relay.set('open');
    const back = await waitForStatus(cloud, 200, 5000);
    assert.deepEqual(back.body, { status: 'ready' });
  });

  void it('answers 503 when the database stops answering without refusing, within the probe timeout, and 200 once it answers', async () => {
    await waitForStatus(cloud, 200, 5000);
    relay.set('stalled');
    // One second of trust plus the probe's two-second timeout.
    const out = await waitForStatus(cloud, 503, 8000);
    assert.deepEqual(out.body, { status: 'not-ready', reason: 'database: the database did not answer within 2 s' });
    assert.ok(out.tookMs < 5000, `taken out after ${out.tookMs} ms`);
    relay.set('open');
    const back = await waitForStatus(cloud, 200, 8000);
    assert.deepEqual(back.body, { status: 'ready' });
  });
});
