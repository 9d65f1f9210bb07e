import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createBatchedLogStream } from './batched-log-stream.js';

function recordingSink() {
  const writes: string[] = [];
  let ended = false;
  return {
    writes,
    ended: () => ended,
    sink: {
      write: (chunk: string) => writes.push(chunk),
      end: (callback?: () => void) => {
        ended = true;
        callback?.();
      },
    },
  };
}

void describe('batched log stream', () => {
  void it('joins the lines of a few milliseconds into one write, in order', async () => {
    const { writes, sink } = recordingSink();
    const stream = createBatchedLogStream(sink, { flushMs: 5 });
    stream.write('a\n');
    stream.write('b\n');
    assert.deepEqual(writes, [], 'nothing is written at once');
    await sleep(30);
    assert.deepEqual(writes, ['a\nb\n']);
    stream.write('c\n');
    await sleep(30);
    assert.deepEqual(writes, ['a\nb\n', 'c\n']);
  });

  void it('writes at once when enough waits', () => {
    const { writes, sink } = recordingSink();
    const stream = createBatchedLogStream(sink, { flushMs: 60_000, flushBytes: 4 });
    stream.write('ab\n');
    assert.deepEqual(writes, []);
    stream.write('cd\n');
    assert.deepEqual(writes, ['ab\ncd\n']);
    stream.end();
  });

  void it('writes what waits before ending the sink', async () => {
    const { writes, sink, ended } = recordingSink();
    const stream = createBatchedLogStream(sink, { flushMs: 60_000 });
    stream.write('last\n');
    await new Promise<void>((resolve) => stream.end(resolve));
    assert.deepEqual(writes, ['last\n']);
    assert.equal(ended(), true);
  });
});
