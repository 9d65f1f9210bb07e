import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busContract } from '../bus-contract.js';
import { createNatsBus, redactBusUrl } from './nats-bus.js';
import { testNats, TEST_NATS_URL } from './nats-test.test-helper.js';

const server = await testNats();
if (server.ok) {
  busContract('nats', {
    open: (onError) => createNatsBus({ url: TEST_NATS_URL, onError }),
    openPeer: () => createNatsBus({ url: TEST_NATS_URL }),
  });
  busContract('nats with a cluster prefix', {
    open: (onError) => createNatsBus({ url: TEST_NATS_URL, prefix: 'forte.contract', onError }),
    openPeer: () => createNatsBus({ url: TEST_NATS_URL, prefix: 'forte.contract' }),
  });
  void describe('NATS bus prefixes', () => {
    void it('keeps clusters sharing one NATS server apart: a message reaches only buses of its own prefix', async () => {
      const a1 = await createNatsBus({ url: TEST_NATS_URL, prefix: 'forte.clustera' });
      const a2 = await createNatsBus({ url: TEST_NATS_URL, prefix: 'forte.clustera' });
      const b = await createNatsBus({ url: TEST_NATS_URL, prefix: 'forte.clusterb' });
      try {
        const heardByA2: unknown[] = [];
        const heardByB: unknown[] = [];
        const until = (test: () => boolean, what: string): Promise<void> =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => (clearInterval(poll), reject(new Error(`timed out waiting until ${what}`))), 5000);
            const poll = setInterval(() => test() && (clearTimeout(timer), clearInterval(poll), resolve()), 5);
          });
        await a2.subscribe('cache.prefix-test', (m) => heardByA2.push(m));
        await b.subscribe('cache.prefix-test', (m) => heardByB.push(m));
        a1.publish('cache.prefix-test', { n: 1 });
        b.publish('cache.prefix-test', { n: 2 });
        a1.publish('cache.prefix-test', { n: 3 });
        await until(() => heardByA2.length === 2, 'the bus of the same prefix heard both messages');
        // Routed by the server before B's own last message: had B been sent A's messages, they would be here.
        b.publish('cache.prefix-test', { n: 4 });
        await until(() => heardByB.length >= 2, "the other prefix's bus heard its own messages");
        assert.deepEqual(heardByA2, [{ n: 1 }, { n: 3 }]);
        assert.deepEqual(heardByB, [{ n: 2 }, { n: 4 }]);
      } finally {
        await Promise.all([a1.close(), a2.close(), b.close()]);
      }
    });
  });
} else {
  console.log(`Bus contract: nats skipped: ${server.reason}`);
  void describe('Bus contract: nats', () => void it(`skipped: ${server.reason}`, { skip: server.reason }));
}

void describe('NATS bus URLs', () => {
  void it('refuses a URL that is not nats:// or tls://, never printing the password', async () => {
    await assert.rejects(
      createNatsBus({ url: 'http://u:secret@h:4222' }),
      (error: Error) => /must start with nats:\/\//.test(error.message) && !error.message.includes('secret'),
    );
    await assert.rejects(createNatsBus({ url: 'not a url' }), /is not a URL/);
    assert.equal(redactBusUrl('nats://u:secret@h:4222'), 'nats://u:***@h:4222');
    assert.equal(redactBusUrl('nats://token@h:4222'), 'nats://***@h:4222');
  });
  void it('names an unreachable server and how to fix it', async () => {
    // Port 9 (discard) on loopback: nothing of ours listens there.
    await assert.rejects(createNatsBus({ url: 'nats://127.0.0.1:9' }), /Cannot reach the bus at nats:\/\/127\.0\.0\.1:9.*NATS server runs/s);
  });
});
