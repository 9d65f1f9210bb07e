import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogTail } from './log-tail.js';

void describe('log tail', () => {
  void it('answers the last 4096 bytes of the lines, however many were pushed', () => {
    const tail = createLogTail();
    const all: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `line ${i} ${'é'.repeat(i % 7)}`;
      all.push(line);
      tail.push(line);
    }
    const expected = Buffer.from(all.map((l) => `${l}\n`).join(''));
    assert.equal(tail.text(), expected.subarray(expected.length - 4096).toString('utf8'));
  });

  void it('keeps short logs whole, and the end of one line longer than 4 KB', () => {
    const short = createLogTail();
    short.push('START');
    short.push('END');
    assert.equal(short.text(), 'START\nEND\n');
    const long = createLogTail();
    long.push('a'.repeat(10_000));
    long.push('END');
    assert.equal(long.text(), `${'a'.repeat(4096 - 5)}\nEND\n`);
  });
});
