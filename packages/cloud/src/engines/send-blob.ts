import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './types.js';

/**
 * Answers a blob (or the inclusive byte range) on `res` and ends it: through the store's `send` where it has one
 * (its own buffers, reused from write to write), else as the stream `get` gives. `head` writes the status and
 * headers once the blob is found; a missing blob throws BlobNotFoundError before it. An error after it (the
 * client went away, the blob broke) is thrown too: the caller cuts the response.
 */
export async function sendBlob(
  blobs: BlobStore,
  id: string,
  range: { start: number; end: number } | undefined,
  res: ServerResponse,
  head: () => void,
): Promise<void> {
  if (blobs.send) {
    await blobs.send(id, range, res, head);
    if (!res.destroyed) res.end();
    return;
  }
  const body = await blobs.get(id, range);
  head();
  await pipeline(body, res);
}
