import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MAX_BUS_MESSAGE_BYTES, type Bus, type BusMessage } from './types.js';

/** How a contract run opens buses: a fresh one, and for a shared bus another instance of the same cluster. */
export interface BusContractOptions {
  /** A fresh bus; `onError` hears what its handlers throw. */
  open(onError: (error: unknown, subject: string) => void): Promise<Bus>;
  /** Another bus joined to the same cluster as those `open` gives (shared buses only). */
  openPeer?: () => Promise<Bus>;
}

/** A subject of its own for each test, so runs on one shared server never hear each other. */
const subjectOf = (name: string): string => `forte-test.${randomUUID()}.${name}`;

/** Collects what a subscription hears; `until(n)` waits (up to 5 s) for n messages. */
function inbox() {
  const messages: BusMessage[] = [];
  return {
    messages,
    handler: (message: BusMessage): void => void messages.push(message),
    async until(count: number): Promise<BusMessage[]> {
      const deadline = Date.now() + 5000;
      while (messages.length < count && Date.now() < deadline) await sleep(5);
      assert.equal(messages.length, count, `expected ${count} messages, got ${messages.length}`);
      return messages;
    },
  };
}

/** Waits long enough for anything in flight to have arrived (a round trip to a local server and back). */
const settle = async (): Promise<void> => {
  await nextTurn();
  await sleep(100);
};

/** The behaviour every Bus implementation must have (engines/types.ts `Bus`). */
export function busContract(name: string, options: BusContractOptions): void {
  const open = async (): Promise<{ bus: Bus; errors: unknown[] }> => {
    const errors: unknown[] = [];
    return { bus: await options.open((error) => errors.push(error)), errors };
  };

  void describe(`Bus contract: ${name}`, () => {
    void it('delivers a copy of a JSON message to each subscription, after publish returns, once', async () => {
      const { bus } = await open();
      try {
        const subject = subjectOf('copy');
        const first = inbox();
        const second = inbox();
        await bus.subscribe(subject, first.handler);
        await bus.subscribe(subject, second.handler);
        const message = { apiId: 'a1', item: { id: 'x', n: 1.5, tags: ['a', null], done: false } };
        bus.publish(subject, message);
        assert.equal(first.messages.length, 0, 'handlers never run inside publish');
        assert.deepEqual(await first.until(1), [message]);
        assert.deepEqual(await second.until(1), [message]);
        assert.notEqual(first.messages[0], message, 'a handler gets a copy, not the published object');
        assert.notEqual(first.messages[0], second.messages[0], 'every handler gets its own copy');
        await settle();
        assert.equal(first.messages.length, 1, 'never delivered twice');
      } finally {
        await bus.close();
      }
    });

    void it('delivers only the subject subscribed to, and nothing published before the subscription', async () => {
      const { bus } = await open();
      try {
        const subject = subjectOf('only');
        bus.publish(subject, 'early');
        await settle();
        const heard = inbox();
        await bus.subscribe(subject, heard.handler);
        bus.publish(`${subject}.deeper`, 'other subject');
        bus.publish(subjectOf('else'), 'other subject');
        bus.publish(subject, 'late');
        assert.deepEqual(await heard.until(1), ['late']);
        await settle();
        assert.deepEqual(heard.messages, ['late']);
      } finally {
        await bus.close();
      }
    });

    void it("keeps one publisher's order on a subject", async () => {
      const { bus } = await open();
      try {
        const subject = subjectOf('order');
        const heard = inbox();
        await bus.subscribe(subject, heard.handler);
        for (let i = 0; i < 200; i++) bus.publish(subject, i);
        assert.deepEqual(
          await heard.until(200),
          Array.from({ length: 200 }, (_, i) => i),
        );
      } finally {
        await bus.close();
      }
    });

    void it('stops delivering to a subscription once it is ended, the others go on', async () => {
      const { bus } = await open();
      try {
        const subject = subjectOf('unsubscribe');
        const ended = inbox();
        const kept = inbox();
        const unsubscribe = await bus.subscribe(subject, ended.handler);
        await bus.subscribe(subject, kept.handler);
        bus.publish(subject, 1);
        await kept.until(1);
        await ended.until(1);
        unsubscribe();
        unsubscribe(); // twice is harmless
        bus.publish(subject, 2);
        await kept.until(2);
        await settle();
        assert.deepEqual(ended.messages, [1]);
      } finally {
        await bus.close();
      }
    });

    void it('reports a handler that throws and still runs the others', async () => {
      const { bus, errors } = await open();
      try {
        const subject = subjectOf('throws');
        const heard = inbox();
        await bus.subscribe(subject, () => {
          throw new Error('handler failed');
        });
        await bus.subscribe(subject, heard.handler);
        bus.publish(subject, 'x');
        await heard.until(1);
        await settle();
        assert.equal(errors.length, 1);
        assert.match((errors[0] as Error).message, /handler failed/);
      } finally {
        await bus.close();
      }
    });

    void it('refuses a bad subject, a message that is not JSON data or too large, and publishing after close', async () => {
      const { bus } = await open();
      const subject = subjectOf('refused');
      for (const bad of ['', 'a..b', 'a.*', 'a.>', 'has space', '.a', 'a.']) {
        assert.throws(() => bus.publish(bad, 1), /subject/, `publish on ${JSON.stringify(bad)}`);
        await assert.rejects(
          bus.subscribe(bad, () => undefined),
          /subject/,
          `subscribe to ${JSON.stringify(bad)}`,
        );
      }
      assert.throws(() => bus.publish(subject, undefined as unknown as BusMessage), /not JSON data/);
      assert.throws(() => bus.publish(subject, 'x'.repeat(MAX_BUS_MESSAGE_BYTES)), /larger than/);
      await bus.close();
      assert.throws(() => bus.publish(subject, 1), /closed/);
      await bus.close(); // twice is harmless
    });

    if (options.openPeer) {
      const openPeer = options.openPeer;
      void it('delivers to every instance of the cluster once, the publisher included', async () => {
        const { bus } = await open();
        const peer = await openPeer();
        try {
          const subject = subjectOf('cluster');
          const here = inbox();
          const there = inbox();
          await bus.subscribe(subject, here.handler);
          await peer.subscribe(subject, there.handler);
          bus.publish(subject, { from: 'here' });
          peer.publish(subject, { from: 'there' });
          await here.until(2);
          await there.until(2);
          await settle();
          assert.deepEqual(new Set(here.messages.map((m) => JSON.stringify(m))), new Set(['{"from":"here"}', '{"from":"there"}']));
          assert.equal(there.messages.length, 2);
        } finally {
          await Promise.all([bus.close(), peer.close()]);
        }
      });

      void it('a subscription that resolved hears what another instance publishes right after', async () => {
        const { bus } = await open();
        const peer = await openPeer();
        try {
          for (let round = 0; round < 20; round++) {
            const subject = subjectOf(`race${round}`);
            const heard = inbox();
            await bus.subscribe(subject, heard.handler);
            peer.publish(subject, round);
            assert.deepEqual(await heard.until(1), [round]);
          }
        } finally {
          await Promise.all([bus.close(), peer.close()]);
        }
      });
    }
  });
}
