import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRequestTurns } from './request-turns.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The load of the second test, in a thread of its own: `busy` keep-alive connections that send their next
 * request as soon as an answer arrives; once they run, `fresh` new connections at once, each sending one
 * request. Answers with, per new connection, how many requests the server had answered (the shared
 * counter) from the moment they were opened to their answer.
 */
const LOAD = `
const { connect } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { port, busy, fresh, counter } = workerData;
const served = new Int32Array(counter);
const REQUEST = 'GET / HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n';
const sockets = [];
for (let i = 0; i < busy; i++) {
  const s = connect(port, '127.0.0.1', () => s.write(REQUEST));
  s.on('data', () => s.write(REQUEST));
  s.on('error', () => undefined);
  sockets.push(s);
}
const waitFor = (n, then) => (Atomics.load(served, 0) >= n ? then() : setTimeout(() => waitFor(n, then), 5));
waitFor(busy * 5, () => {
  const opened = Atomics.load(served, 0);
  let left = fresh;
  const waited = [];
  for (let i = 0; i < fresh; i++) {
    const s = connect(port, '127.0.0.1', () => s.write(REQUEST));
    s.once('data', () => {
      waited.push(Atomics.load(served, 0) - opened);
      s.destroy();
      if (--left === 0) {
        for (const b of sockets) b.destroy();
        parentPort.postMessage(waited);
      }
    });
    s.on('error', () => undefined);
  }
});
`;

void describe('request turns', () => {
  void it('runs requests at once while the turn has time, then queues them and runs them in order, a budget per later turn', async () => {
    let clock = 0;
    const turns = createRequestTurns({ budgetMs: 1, now: () => clock });
    const ran: string[] = [];
    const task = (name: string) => () => {
      ran.push(name);
      clock += 0.7;
    };
    for (const name of ['a', 'b', 'c', 'd', 'e']) turns.dispatch(task(name));
    // a and b fit in the turn (started at 0: b starts at 0.7); c starts past the budget, so it and all after it wait.
    assert.deepEqual(ran, ['a', 'b']);
    assert.equal(turns.waiting(), 3);
    await nextTurn();
    // The next turn runs c, then d (0.7 into the turn), not e (1.4 into it).
    assert.deepEqual(ran, ['a', 'b', 'c', 'd']);
    // A request that arrives while others wait goes behind them, even at the start of a turn.
    turns.dispatch(task('f'));
    assert.deepEqual(ran, ['a', 'b', 'c', 'd']);
    await nextTurn();
    assert.deepEqual(ran, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.equal(turns.waiting(), 0);
    await nextTurn();
    // Nothing waits and a new turn has begun: the next request runs at once.
    turns.dispatch(task('g'));
    assert.deepEqual(ran, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  void it('keeps accepting new connections while busy connections saturate the server', async () => {
    const turns = createRequestTurns({ budgetMs: 1 });
    const counter = new SharedArrayBuffer(4);
    const served = new Int32Array(counter);
    const server = createServer((req, res) => {
      turns.dispatch(() => {
        // 2 ms of work per request: more than a turn's budget, so a turn runs one queued request.
        const until = performance.now() + 2;
        while (performance.now() < until);
        Atomics.add(served, 0, 1);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const busy = 10;
      const fresh = 20;
      const worker = new Worker(LOAD, { eval: true, workerData: { port, busy, fresh, counter } });
      const waited = await new Promise<number[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      // node accepts one connection per event-loop turn. Turns that each answered every connection with a
      // request would accept the k-th new connection after k turns of about 11 answers (the 10 busy ones and
      // the new one before it): the last one after some 220 (measured: 237). One queued request per turn:
      // 20 turns accept them all, and each first request waits behind at most the 30 queued before it
      // (measured: 45-47).
      assert.equal(waited.length, fresh);
      assert.ok(Math.max(...waited) < 120, `new connections waited for ${Math.max(...waited)} answers to others (all: ${waited.join(', ')})`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
