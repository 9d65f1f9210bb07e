import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAwsChunkedDecoder } from './aws-chunked-decoder.js';

async function decode(pieces: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(pieces.map((p) => Buffer.from(p))).pipe(createAwsChunkedDecoder())) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

void describe('aws-chunked decoder', () => {
  void it('decodes unsigned chunks with a trailing checksum, split at any byte', async () => {
    const body = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
    assert.equal(await decode([body]), 'hello world');
    assert.equal(await decode(body.split('')), 'hello world');
  });

  void it('decodes signed chunks (chunk-signature extensions)', async () => {
    const sig = 'a'.repeat(64);
    assert.equal(await decode([`3;chunk-signature=${sig}\r\nabc\r\n0;chunk-signature=${sig}\r\n\r\n`]), 'abc');
  });

  void it('refuses malformed and truncated bodies', async () => {
    await assert.rejects(decode(['zz\r\nabc\r\n0\r\n\r\n']), /malformed/);
    await assert.rejects(decode(['3\r\nabcX\r\n0\r\n\r\n']), /malformed/);
    await assert.rejects(decode(['5\r\nabc']), /malformed/);
  });

  void it('refuses more than 16 KB of trailers (each was kept)', async () => {
    const trailers = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}:v\r\n`).join('');
    assert.equal(await decode([`3\r\nabc\r\n0\r\n${trailers(100)}\r\n`]), 'abc');
    await assert.rejects(decode([`3\r\nabc\r\n0\r\n${trailers(10_000)}\r\n`]), /malformed/);
  });
});
