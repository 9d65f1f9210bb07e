import type { IncomingMessage } from 'node:http';
import { ServiceError } from './types.js';

/** Largest body the kernel reads into memory (JSON APIs); bigger ones are answered 413. */
export const MAX_BUFFERED_BODY = 10 * 1024 * 1024;

/** Reads the whole request body, refusing more than `limit` bytes with a 413 ServiceError. */
export async function readBody(req: IncomingMessage, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', `The request body is larger than ${limit} bytes: send a smaller body.`, 413);
}
