import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalBus } from '../engines/local-bus/local-bus.js';
import { createNatsBus } from '../engines/nats-bus/nats-bus.js';
import { testNats, TEST_NATS_URL } from '../engines/nats-bus/nats-test.test-helper.js';
import type { Bus } from '../engines/types.js';
import { createCacheInvalidation } from './cache-invalidation.js';
import { createLogger } from './logger.js';

/** One instance's view: what its cache heard. */
function instance(bus: Bus, name: string) {
  const heard: Array<{ label: string } | 'lost'> = [];
  const lines: string[] = [];
  const invalidation = createCacheInvalidation<{ label: string }>({ bus, log: createLogger({ write: (line) => void lines.push(line), level: 'info' }) }, name, {
    isChange: (value): value is { label: string } => typeof (value as { label?: unknown } | null)?.label === 'string',
    onChange: (change) => void heard.push(change),
    onLost: () => void heard.push('lost'),
  });
  return { heard, lines, invalidation };
}

const nats = await testNats();

void describe('cache invalidation over the bus', () => {
  void it('sends nothing on the in-process bus: a cloud alone has no other instance', async () => {
    const bus = createLocalBus();
    const published: unknown[] = [];
    await bus.subscribe('cache.sites.v1', (m) => void published.push(m));
    const one = instance(bus, 'sites');
    await one.invalidation.start();
    one.invalidation.changed({ label: 'x' });
    await sleep(20);
    assert.deepEqual(published, []);
    assert.deepEqual(one.heard, []);
  });

  void it(
    'tells every other instance, never the writer itself, and drops everything for a message it cannot read',
    { skip: nats.ok ? undefined : nats.reason },
    async () => {
      const [busA, busB, busC] = await Promise.all([1, 2, 3].map(() => createNatsBus({ url: TEST_NATS_URL })));
      const name = `sites-${process.pid}-${Date.now()}`;
      try {
        const a = instance(busA!, name);
        const b = instance(busB!, name);
        await Promise.all([a.invalidation.start(), b.invalidation.start()]);
        const heardBoth = async (count: number): Promise<void> => {
          const deadline = Date.now() + 5000;
          while ((a.heard.length < count || b.heard.length < count) && Date.now() < deadline) await sleep(5);
        };
        a.invalidation.changed({ label: 'blog' });
        b.invalidation.changed({ label: 'shop' });
        await heardBoth(1);
        busC!.publish(`cache.${name}.v1`, { from: 'a release to come', change: { labels: ['x'] } });
        await heardBoth(2);
        await sleep(100);
        assert.deepEqual(a.heard, [{ label: 'shop' }, 'lost']);
        assert.deepEqual(b.heard, [{ label: 'blog' }, 'lost']);
        assert.match(a.lines.join(''), /not understood/);
        a.invalidation.stop();
        b.invalidation.changed({ label: 'after stop' });
        await sleep(100);
        assert.equal(a.heard.length, 2, 'a stopped invalidation hears nothing more');
      } finally {
        await Promise.all([busA!.close(), busB!.close(), busC!.close()]);
      }
    },
  );
});
