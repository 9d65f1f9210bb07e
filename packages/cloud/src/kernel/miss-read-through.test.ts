import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMissReadThrough } from './miss-read-through.js';

void describe('reads through on a miss, bounded', () => {
  void it('runs one read per id at a time: misses that arrive meanwhile wait for it', async () => {
    const misses = createMissReadThrough();
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = async (): Promise<void> => {
      reads++;
      await gate;
    };
    const waiting = Array.from({ length: 50 }, () => misses.check('api-1', load));
    const other = misses.check('api-2', load);
    release();
    await Promise.all([...waiting, other]);
    assert.equal(reads, 2, 'one read for api-1, one for api-2');
  });

  void it('reads an id again only once its quiet time has passed, and a failed read counts as one', async () => {
    let clock = 0;
    const misses = createMissReadThrough({ quietMs: 1000, now: () => clock });
    let reads = 0;
    await misses.check('x', () => Promise.resolve(void reads++));
    clock = 999;
    await misses.check('x', () => Promise.resolve(void reads++));
    assert.equal(reads, 1, 'within the quiet time the miss is answered from memory');
    clock = 1000;
    await misses.check('x', () => Promise.resolve(void reads++));
    assert.equal(reads, 2);
    clock = 5000;
    await assert.rejects(
      misses.check('y', () => Promise.reject(new Error('database down'))),
      /database down/,
    );
    await misses.check('y', () => Promise.resolve(void reads++));
    assert.equal(reads, 2, 'the failed read is remembered too: a failing database is not asked at every request');
  });

  void it('keeps its memory bounded under a flood of distinct ids', async () => {
    let clock = 0;
    const misses = createMissReadThrough({ quietMs: 1000, now: () => clock });
    let reads = 0;
    for (let i = 0; i < 25_000; i++) {
      if (i % 10_000 === 0) clock += 2000;
      await misses.check(`id-${i}`, () => Promise.resolve(void reads++));
    }
    assert.equal(reads, 25_000, 'each distinct id is read once');
    clock += 10;
    await misses.check('id-24999', () => Promise.resolve(void reads++));
    assert.equal(reads, 25_000, 'the latest ids are still remembered');
  });
});
