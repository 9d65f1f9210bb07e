import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { readHeadlessPayload } from './headless-payload.js';

void describe('readHeadlessPayload', () => {
  void it('reads one line of JSON', async () => {
    const stream = new PassThrough();
    stream.end('{"version":1}\n{"ignored":true}\n');
    assert.deepEqual(await readHeadlessPayload(stream), { version: 1 });
  });

  void it('times out with "No input received on stdin"', async () => {
    await assert.rejects(readHeadlessPayload(new PassThrough(), 50), /No input received on stdin/);
  });

  void it('malformed JSON is a user error', async () => {
    const stream = new PassThrough();
    stream.end('{nope\n');
    await assert.rejects(readHeadlessPayload(stream), /headless payload on stdin is not valid JSON/);
  });
});
