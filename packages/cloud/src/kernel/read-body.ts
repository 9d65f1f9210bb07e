import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { ForteError } from '@forte/protocol';
import { JSON_API_ERRORS } from './api-errors.js';

/** Largest body the kernel reads into memory (JSON APIs); bigger ones are answered 413. */
export const MAX_BUFFERED_BODY = 10 * 1024 * 1024;

/**
 * Reads the whole request body, refusing more than `limit` bytes with a 413 ForteError (the rest of an
 * oversized body is not read, and the answer closes the connection). Plain stream events rather than an async
 * iterator: most bodies here are one small chunk, and this runs on every JSON API call.
 */
export function readBody(req: IncomingMessage, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Not destroyed here: that would cut the connection before the 413 is written. The rest flows on
      // unread, and the answer closes the connection (`connection: close`).
      settle(tooLarge(limit));
    };
    const onEnd = (): void => settle(undefined);
    const onError = (error: Error): void => settle(error);
    // A client that hangs up mid-body may close the request without an error.
    const onClose = (): void => settle(prematureClose());
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function prematureClose(): Error {
  return Object.assign(new Error('the request closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

function tooLarge(limit: number): ForteError {
  return JSON_API_ERRORS.error('RequestEntityTooLargeException', `The request body is larger than ${limit} bytes: send a smaller body.`, {
    headers: { connection: 'close' },
  });
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * The body a client compressed (`Content-Encoding: gzip` or `deflate`, as the AWS SDKs' request compression
 * sends; the signature covers the compressed bytes), decoded up to `limit` bytes: more is a 413 like an
 * oversized body, an unknown encoding or bytes that do not decode a SerializationException.
 */
export async function decodeContentEncoding(body: Buffer | undefined, header: string, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  let out = body ?? Buffer.alloc(0);
  const encodings = header
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  // Encodings apply in the order listed, so they are undone from the last one.
  for (const encoding of encodings.reverse()) {
    if (encoding !== 'gzip' && encoding !== 'deflate')
      throw JSON_API_ERRORS.error('SerializationException', `Content-Encoding ${encoding} is not supported: send the body as is, or with gzip or deflate.`);
    try {
      out = await (encoding === 'gzip' ? gunzipAsync : inflateAsync)(out, { maxOutputLength: limit });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
      throw JSON_API_ERRORS.error('SerializationException', `The request body is not valid ${encoding} data (Content-Encoding: ${header}).`, { cause: error });
    }
  }
  return out;
}
