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
