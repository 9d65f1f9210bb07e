import type { ServerResponse } from 'node:http';
import { sendBlob } from '../../engines/send-blob.js';
import type { BlobStore } from '../../engines/types.js';
import type { Route } from '../../kernel/types.js';
import { ByteLru } from './byte-lru.js';
import { CACHE_NO_CACHE } from './cache-control.js';
import { extensionOf } from './content-type.js';
import type { LiveSiteCache, Representation, ServedFile } from './live-site-cache.js';
import { parseByteRange } from '../../kernel/byte-range.js';
import { acceptsHtml, matchesIfNoneMatch, pickEncoding } from './negotiate.js';
import { siteLabelOfHost } from './site-address.js';
import { decodeSitePath } from './site-path.js';

/** Bodies up to this size are kept in memory; bigger ones always stream from the blob store. */
const MAX_CACHED_BODY = 1024 * 1024;
const BODY_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Serves the active deployment of each site at its own host name `<app>-<env>.localhost[:port]`, an origin
 * of its own: a site's pages never run on the API's origin, where they could call the cloud's APIs with a
 * browser's standing as that origin. Public (no signature); GET and HEAD only.
 */
export function createSiteRoute(deps: { blobs: BlobStore; sites: LiveSiteCache }): { route: Route; bodies: ByteLru<Buffer> } {
  const bodies = new ByteLru<Buffer>(BODY_CACHE_BYTES, (b) => b.length);
  const route: Route = {
    name: 'hosting-sites',
    errorFormat: 'text',
    publicStatic: true,
    // A site's host name is the site's whatever the path, even `/s3/...`: before S3's path-style prefix.
    order: 'host',
    match: { raw: (req) => siteLabelOfHost(req.headers.host) !== undefined },
    async handle(ctx) {
      const { req, res } = ctx;
      // The raw path, not ctx.url.pathname: WHATWG parsing resolves `..` and would hide traversal attempts.
      const rawPath = ctx.rawPath;
      const label = siteLabelOfHost(req.headers.host);
      if (label === undefined) return sendText(res, 404, 'No site here: sites are served at http://<app>-<env>.localhost:<port>/.');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Sites are read-only: only GET and HEAD are allowed.\n');
        return;
      }
      const path = decodeSitePath(rawPath);
      const live = deps.sites.peek(label) ?? (await deps.sites.get(label));
      if (!live) return sendText(res, 404, `No site is named ${label}: check the app and environment in the address.`);
      if (!live.deploymentId) return sendText(res, 404, `The site ${label} has no deployment yet: run \`forte publish\`.`);

      let file = live.files.get(path);
      let status = 200;
      if (!file) {
        if (!path.endsWith('index.html') && live.files.has(`${path}/index.html`)) {
          // Rebuilt from the decoded manifest path, never echoed from the request: `//host` must not redirect away.
          const location = `/${encodeURI(path)}/${ctx.url.search}`;
          res.writeHead(301, { location, 'content-length': 0 });
          res.end();
          return;
        }
        const lastSegment = path.slice(path.lastIndexOf('/') + 1);
        const index = live.files.get('index.html');
        if (index && (acceptsHtml(req.headers.accept) || extensionOf(lastSegment) === '')) {
          file = index; // single-page app: the client-side router owns every other path
        } else {
          file = live.files.get('404.html');
          status = 404;
          if (!file) return sendText(res, 404, `Not found: /${path}`);
        }
      }
      await sendFile({
        res,
        file,
        status,
        head: req.method === 'HEAD',
        ifNoneMatch: header(req.headers['if-none-match']),
        acceptEncoding: header(req.headers['accept-encoding']),
        range: header(req.headers.range),
        ifRange: header(req.headers['if-range']),
        blobs: deps.blobs,
        bodies,
      });
    },
  };
  return { route, bodies };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

async function sendFile(args: {
  res: ServerResponse;
  file: ServedFile;
  status: number;
  head: boolean;
  ifNoneMatch: string | undefined;
  acceptEncoding: string | undefined;
  range: string | undefined;
  ifRange: string | undefined;
  blobs: BlobStore;
  bodies: ByteLru<Buffer>;
}): Promise<void> {
  const { res, file, status } = args;
  const encoding = pickEncoding(args.acceptEncoding, { br: file.br !== undefined, gz: file.gz !== undefined });
  const rep: Representation = (encoding === 'identity' ? file.identity : file[encoding]) ?? file.identity;
  if (status === 200 && matchesIfNoneMatch(args.ifNoneMatch, file.etags)) {
    res.writeHead(304, { etag: rep.etag, 'cache-control': file.cacheControl, vary: 'Accept-Encoding' });
    res.end();
    return;
  }
  // Error pages are revalidated whatever their name says: the same path may exist in the next deployment.
  const headers = status === 200 ? rep.headers : { ...rep.headers, 'cache-control': CACHE_NO_CACHE };
  if (status === 200 && args.range && rep === file.identity && (!args.ifRange || args.ifRange === rep.etag)) {
    const range = parseByteRange(args.range, rep.size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${rep.size}`, 'content-length': 0 });
      res.end();
      return;
    }
    if (range) return sendRange({ res, rep, range, head: args.head, blobs: args.blobs, bodies: args.bodies });
  }
  if (args.head) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const cached = args.bodies.get(rep.blobId);
  if (cached) {
    res.writeHead(status, headers);
    res.end(cached);
    return;
  }
  if (rep.size <= MAX_CACHED_BODY) {
    const body = await args.blobs.read(rep.blobId);
    args.bodies.set(rep.blobId, body);
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  try {
    await sendBlob(args.blobs, rep.blobId, undefined, res, () => res.writeHead(status, headers));
  } catch (error) {
    if (!res.headersSent) throw error; // not found: answered as before the head
    // The client went away or the blob broke mid-way: the status is already sent, so just drop the socket.
    res.destroy();
  }
}

async function sendRange(args: {
  res: ServerResponse;
  rep: Representation;
  range: { start: number; end: number };
  head: boolean;
  blobs: BlobStore;
  bodies: ByteLru<Buffer>;
}): Promise<void> {
  const { res, rep, range } = args;
  res.writeHead(206, { ...rep.headers, 'content-range': `bytes ${range.start}-${range.end}/${rep.size}`, 'content-length': range.end - range.start + 1 });
  if (args.head) {
    res.end();
    return;
  }
  const cached = args.bodies.get(rep.blobId);
  if (cached) {
    res.end(cached.subarray(range.start, range.end + 1));
    return;
  }
  try {
    await sendBlob(args.blobs, rep.blobId, range, res, () => {}); // the head is written above
  } catch {
    res.destroy();
  }
}

function sendText(res: ServerResponse, status: number, message: string): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': CACHE_NO_CACHE,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
