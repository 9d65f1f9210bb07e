import assert from 'node:assert/strict';
import { it } from 'node:test';
import { busContract } from '../bus-contract.js';
import { createLocalBus } from './local-bus.js';

busContract('local', { open: (onError) => Promise.resolve(createLocalBus({ onError })) });

void it('local bus: delivers nothing to another process, nor to another local bus', async () => {
  const one = createLocalBus();
  const other = createLocalBus();
  const heard: unknown[] = [];
  await other.subscribe('a.b', (m) => void heard.push(m));
  one.publish('a.b', 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(heard, []);
  assert.equal(one.shared, false);
});
