import { createHash } from 'node:crypto';
import { CONTROL_ERRORS, HOSTING_BATCH_MAX_BYTES, SIGNING_SERVICE } from '@forte/protocol';
import type { Route } from '../../kernel/types.js';
import { hostingBlobIds } from './blob-ids.js';
import type { HostingState } from './hosting-state.js';
import { siteStore } from './site-store.js';

const BATCH_PATH = /^\/hosting-api\/sites\/([a-z0-9][a-z0-9-]{0,62})\/blob-batch$/;
const FRAME_HEADER = /^([0-9a-f]{64}) (\d{1,10})$/;
const PARALLEL_WRITES = 8;

interface Frame {
  sha256: string;
  body: Buffer;
}

/**
 * `POST /hosting-api/sites/<siteId>/blob-batch`: many small file bodies in one signed request, so a
 * publish of hundreds of small assets costs a few round trips (framing: protocol `hostingBlobBatchPath`).
 * The signature covers the whole body; each frame must hash to its declared sha256 before anything is
 * stored, so a bad batch stores nothing.
 */
export function createBlobBatchRoute(state: HostingState): Route {
  const { kernel } = state;
  return {
    name: 'hosting-blob-batch',
    errorFormat: 'json',
    browserAccess: 'same-origin',
    match: { path: (req, pathname) => req.method === 'POST' && BATCH_PATH.test(pathname) },
    async handle(ctx) {
      const siteId = BATCH_PATH.exec(ctx.url.pathname)![1]!;
      const { principal, body } = await ctx.authenticate({ service: SIGNING_SERVICE, readBody: true });
      if (principal.kind === 'anonymous') {
        throw CONTROL_ERRORS.error('MissingAuthenticationTokenException', 'Request is missing a SigV4 signature: sign it with the keys of a Forte profile.');
      }
      await ctx.authorize(principal, 'hosting:UploadBlob', '*', 'AccessDeniedException');
      if (!(await siteStore.siteById(kernel.sql, siteId))) {
        throw CONTROL_ERRORS.error('ResourceNotFoundException', `No hosting site ${siteId}: run \`forte push\` to create it, then publish again.`);
      }
      const frames = parseFrames(body ?? Buffer.alloc(0));
      const known = new Set((await siteStore.blobs(kernel.sql, siteId)).map((b) => b.sha256));
      const fresh = [...new Map(frames.filter((f) => !known.has(f.sha256)).map((f) => [f.sha256, f])).values()];
      let next = 0;
      const writer = async (): Promise<void> => {
        while (next < fresh.length) {
          const frame = fresh[next++]!;
          await kernel.blobs.put(hostingBlobIds.file(siteId, frame.sha256), frame.body, { digests: [] });
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, fresh.length) }, writer));
      await kernel.sql.transaction(async (tx) => {
        for (const frame of fresh)
          if (!(await siteStore.blob(tx, siteId, frame.sha256))) await siteStore.insertBlob(tx, siteId, frame.sha256, frame.body.length);
      });
      const payload = JSON.stringify({ stored: fresh.length, present: frames.length - fresh.length });
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-amzn-requestid': ctx.requestId });
      ctx.res.end(payload);
    },
  };
}

/** Splits and checks the frames; throws before anything is stored. */
export function parseFrames(body: Buffer): Frame[] {
  if (body.length > HOSTING_BATCH_MAX_BYTES) {
    throw CONTROL_ERRORS.error('ValidationException', `A blob batch holds at most ${HOSTING_BATCH_MAX_BYTES} bytes: send more batches.`);
  }
  const frames: Frame[] = [];
  let at = 0;
  while (at < body.length) {
    const newline = body.indexOf(0x0a, at);
    const header = newline < 0 ? '' : body.toString('latin1', at, newline);
    const m = FRAME_HEADER.exec(header);
    if (!m) throw CONTROL_ERRORS.error('ValidationException', `Blob batch frame ${frames.length + 1} must start with "<sha256 hex> <size>\\n".`);
    const size = Number(m[2]);
    const start = newline + 1;
    if (start + size > body.length)
      throw CONTROL_ERRORS.error('ValidationException', `Blob batch frame ${frames.length + 1} declares ${size} bytes, but the body ends first.`);
    const frameBody = body.subarray(start, start + size);
    const actual = createHash('sha256').update(frameBody).digest('hex');
    if (actual !== m[1]) {
      throw CONTROL_ERRORS.error(
        'BadDigest',
        `Blob batch frame ${frames.length + 1} hashes to ${actual}, not ${m[1]}: the file changed while uploading, or it was hashed wrongly.`,
      );
    }
    frames.push({ sha256: m[1], body: frameBody });
    at = start + size;
  }
  return frames;
}
