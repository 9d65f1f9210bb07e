import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { ForteError } from '@forte/protocol';
import { EMPTY_SHA256, hmacHex } from '../../kernel/sigv4-canonical.js';
import { signaturesEqual } from '../../kernel/sigv4.js';
import type { SigningInfo } from '../../kernel/types.js';
import { S3_ERRORS } from './s3-errors.js';

const MAX_LINE = 8192;
/**
 * Most bytes of trailer lines after the last chunk (the SDKs send one checksum, well under 100 bytes): every line
 * was kept, so a body of trailers held some ten times its size in the cloud's memory.
 */
const MAX_TRAILER_BYTES = 16 * 1024;

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`)
 * into the object's bytes. With `signing` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD*), every chunk must carry
 * a signature chained from the request's seed signature, and a chunk whose signature fails ends the
 * stream with SignatureDoesNotMatch. Trailers (`x-amz-checksum-crc32:…`) are kept in `trailers`, lower-case
 * names, once the stream has ended.
 */
export function createAwsChunkedDecoder(signing?: SigningInfo): Transform & { trailers: Record<string, string> } {
  const trailers: Record<string, string> = {};
  let trailerBytes = 0;
  let buffer: Buffer = Buffer.alloc(0);
  let remaining = 0; // data bytes left in the current chunk
  let state: 'header' | 'data' | 'data-end' | 'trailer' | 'done' = 'header';
  let previousSignature = signing?.seedSignature ?? '';
  let chunkSignature: string | undefined;
  let chunkHash: Hash | undefined;

  const malformed = (): ForteError => S3_ERRORS.error('IncompleteBody', 'The aws-chunked request body is malformed.');
  const verifyChunk = (dataHash: string): void => {
    if (!signing) return;
    const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, signing.scope, previousSignature, EMPTY_SHA256, dataHash].join('\n');
    const expected = hmacHex(signing.signingKey, stringToSign);
    if (chunkSignature === undefined || !signaturesEqual(expected, chunkSignature)) {
      throw S3_ERRORS.error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.');
    }
    previousSignature = expected;
  };

  const decoder = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      try {
        for (;;) {
          if (state === 'data') {
            if (buffer.length === 0) break;
            const take = Math.min(remaining, buffer.length);
            const piece = buffer.subarray(0, take);
            chunkHash?.update(piece);
            this.push(piece);
            buffer = buffer.subarray(take);
            remaining -= take;
            if (remaining === 0) {
              verifyChunk(chunkHash ? chunkHash.digest('hex') : EMPTY_SHA256);
              state = 'data-end';
            }
            continue;
          }
          if (state === 'done') {
            buffer = Buffer.alloc(0);
            break;
          }
          const eol = buffer.indexOf('\r\n');
          if (eol < 0) {
            if (buffer.length > MAX_LINE) throw malformed();
            break;
          }
          const line = buffer.subarray(0, eol).toString('latin1');
          buffer = buffer.subarray(eol + 2);
          if (state === 'data-end') {
            if (line !== '') throw malformed();
            state = 'header';
          } else if (state === 'header') {
            const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(line);
            if (!size) throw malformed();
            remaining = parseInt(size[1]!, 16);
            chunkSignature = /;chunk-signature=([0-9a-fA-F]+)/.exec(size[2] ?? '')?.[1];
            chunkHash = signing ? createHash('sha256') : undefined;
            if (remaining === 0) {
              verifyChunk(EMPTY_SHA256);
              state = 'trailer';
            } else {
              state = 'data';
            }
          } else if (line === '') {
            state = 'done';
          } else {
            trailerBytes += line.length + 2;
            if (trailerBytes > MAX_TRAILER_BYTES) throw malformed();
            const colon = line.indexOf(':');
            if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      // Some encoders end right after the last chunk's trailers without the final empty line.
      done(state === 'done' || state === 'trailer' ? null : malformed());
    },
  });
  return Object.assign(decoder, { trailers });
}
