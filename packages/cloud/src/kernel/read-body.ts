import type { IncomingMessage } from 'node:http';
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
