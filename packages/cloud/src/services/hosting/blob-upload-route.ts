import { CONTROL_ERRORS, SIGNING_SERVICE, type ForteError } from '@forte/protocol';
import type { Route } from '../../kernel/types.js';
import { hostingBlobIds } from './blob-ids.js';
import type { HostingState } from './hosting-state.js';
import { siteStore } from './site-store.js';

const PREFIX = '/hosting-api/sites/';
const BLOB_PATH = /^\/hosting-api\/sites\/([a-z0-9][a-z0-9-]{0,62})\/blobs\/([0-9a-f]{64})$/;

/**
 * `PUT /hosting-api/sites/<siteId>/blobs/<sha256>`: one file body of a deployment. The body streams into a
 * temporary blob while it is hashed (it may be large: it is never held in memory), and becomes the site's
 * blob only when its sha256 is the one in the URL. The request is signed with `x-amz-content-sha256` set to
 * the same hex hash, so the kernel checks the signature without reading the body.
 */
export function createBlobUploadRoute(state: HostingState): Route {
  const { kernel } = state;
  return {
    name: 'hosting-blob-upload',
    errorFormat: 'json',
    browserAccess: 'same-origin',
    match: { path: (req, pathname) => req.method === 'PUT' && pathname.startsWith(PREFIX) },
    async handle(ctx) {
      const m = BLOB_PATH.exec(ctx.url.pathname);
      if (!m)
        throw CONTROL_ERRORS.error('ValidationException', 'Blob uploads go to PUT /hosting-api/sites/<siteId>/blobs/<sha256 as 64 lowercase hex digits>.');
      const siteId = m[1]!;
      const sha256 = m[2]!;
      const signed = ctx.req.headers.authorization !== undefined || ctx.url.searchParams.has('X-Amz-Signature');
      if (!signed) throw missingSignature();
      // The declared hash is what lets the kernel verify the signature without reading the body first.
      const declared = ctx.req.headers['x-amz-content-sha256'];
      if (declared === undefined) {
        throw CONTROL_ERRORS.error('ValidationException', 'Blob uploads must be signed with the header x-amz-content-sha256 set to the sha256 in the URL.');
      }
      if (declared !== sha256) {
        throw CONTROL_ERRORS.error('BadDigest', 'x-amz-content-sha256 differs from the sha256 in the URL: both must be the hash of the body.');
      }
      const { principal } = await ctx.authenticate({ service: SIGNING_SERVICE, readBody: false });
      if (principal.kind === 'anonymous') throw missingSignature();
      await ctx.authorize(principal, 'hosting:UploadBlob', '*', 'AccessDeniedException');
      if (!(await siteStore.siteById(kernel.sql, siteId))) {
        throw CONTROL_ERRORS.error('ResourceNotFoundException', `No hosting site ${siteId}: run \`forte push\` to create it, then publish again.`);
      }
      const temp = hostingBlobIds.temp();
      let stored: { size: number; sha256: string };
      try {
        stored = await kernel.blobs.put(temp, ctx.req, { digests: ['sha256'] });
        if (stored.sha256 !== sha256) {
          throw CONTROL_ERRORS.error(
            'BadDigest',
            `The body's sha256 is ${stored.sha256}, not ${sha256} as in the URL: the file changed while uploading, or it was hashed wrongly.`,
          );
        }
        if (!(await siteStore.blob(kernel.sql, siteId, sha256))) {
          await kernel.blobs.copy(temp, hostingBlobIds.file(siteId, sha256));
          await siteStore.insertBlob(kernel.sql, siteId, sha256, stored.size);
        }
      } finally {
        await kernel.blobs.delete(temp);
      }
      const payload = JSON.stringify({ sha256, size: stored.size });
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-amzn-requestid': ctx.requestId });
      ctx.res.end(payload);
    },
  };
}

function missingSignature(): ForteError {
  return CONTROL_ERRORS.error('MissingAuthenticationTokenException', 'Request is missing a SigV4 signature: sign it with the keys of a Forte profile.');
}
