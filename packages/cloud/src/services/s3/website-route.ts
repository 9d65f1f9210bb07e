import type { ServerResponse } from 'node:http';
import { sendBlob } from '../../engines/send-blob.js';
import type { BlobStore } from '../../engines/types.js';
import type { Route } from '../../kernel/types.js';
import { objectResponseHeaders } from './object-headers.js';
import type { ObjectStore, S3Object } from './object-store.js';

/** `<bucket>.s3-website.localhost[:port]`: S3's website endpoint (`<bucket>.s3-website-<region>.amazonaws.com`) here. */
const WEBSITE_HOST = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3-website\.localhost(?::\d+)?$/i;
const HOST_SUFFIX = '.s3-website.localhost';
/** Bodies up to this size are read whole and answered in one write; larger ones stream. */
const BUFFERED_BODY_BYTES = 64 * 1024;

/** The bucket a website request addresses, from its `Host` header, or undefined for any other host. */
export function websiteBucketOfHost(host: string | undefined): string | undefined {
  return host ? WEBSITE_HOST.exec(host)?.[1]?.toLowerCase() : undefined;
}

/** The website endpoint of a bucket (CloudFormation's `WebsiteURL` attribute): its own origin, never the API's. */
export function bucketWebsiteUrl(bucket: string, port: number): string {
  return `http://${bucket}${HOST_SUFFIX}:${port}`;
}

/**
 * S3's website endpoint for the buckets that have a website configuration (`WebsiteConfiguration` in their
 * template): anonymous GET and HEAD of their objects at `http://<bucket>.s3-website.localhost:<port>/<key>`,
 * `/` and `…/` answered with the index document, a missing key with the error document (404). The
 * configuration is the bucket's opt-in to public reading, as a public-read policy is on AWS (Forte has no
 * bucket policies or ACLs): a bucket without one is not served here. Each bucket is an origin of its own,
 * so a page it serves never runs script as the API's origin.
 */
export function createWebsiteRoute(options: { store: ObjectStore; blobs: BlobStore }): Route {
  const { store, blobs } = options;
  return {
    name: 's3-website',
    errorFormat: 'text',
    publicStatic: true,
    // The host name decides, whatever the path (even `/s3/...`).
    order: 'host',
    match: { raw: (req) => websiteBucketOfHost(req.headers.host) !== undefined },
    async handle(ctx) {
      const { req, res } = ctx;
      const bucket = websiteBucketOfHost(req.headers.host);
      if (bucket === undefined) return sendText(res, 404, 'NoSuchBucket: no bucket here.');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('A website endpoint is read-only: only GET and HEAD are allowed.\n');
      }
      const website = await store.getBucketWebsite(bucket);
      if (website === 'missing') return sendText(res, 404, `NoSuchBucket: the bucket ${bucket} does not exist.`);
      if (website === undefined) return sendText(res, 404, `NoSuchWebsiteConfiguration: the bucket ${bucket} does not have a website configuration.`);
      const key = keyOfPath(ctx.rawPath);
      if (key === undefined) return sendText(res, 400, 'InvalidURI: percent-encode the path as UTF-8.');
      const wanted = key === '' || key.endsWith('/') ? `${key}${website.indexDocument}` : key;
      const object = await store.getObject(bucket, wanted);
      if (object) return sendObject(res, blobs, object, 200, req.method === 'HEAD');
      // A "folder" holding an index document is reached with its trailing slash, as S3 redirects it.
      if (!key.endsWith('/') && key !== '' && (await store.getObject(bucket, `${key}/${website.indexDocument}`))) {
        res.writeHead(302, { location: `/${encodeURI(key)}/`, 'content-length': 0 });
        return void res.end();
      }
      const error = website.errorDocument === undefined ? undefined : await store.getObject(bucket, website.errorDocument);
      if (error) return sendObject(res, blobs, error, 404, req.method === 'HEAD');
      return sendText(res, 404, `NoSuchKey: ${wanted}`);
    },
  };
}

/** The object key of a raw path: the path without its leading slash, decoded once (never normalised). */
function keyOfPath(rawPath: string): string | undefined {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

async function sendObject(res: ServerResponse, blobs: BlobStore, object: S3Object, status: number, head: boolean): Promise<void> {
  const headers = { ...objectResponseHeaders(object, new URLSearchParams()), 'content-length': String(object.size), 'x-content-type-options': 'nosniff' };
  if (head || object.size === 0) {
    res.writeHead(status, headers);
    return void res.end();
  }
  if (object.size <= BUFFERED_BODY_BYTES) {
    const body = await blobs.read(object.blobId);
    res.writeHead(status, headers);
    return void res.end(body);
  }
  await sendBlob(blobs, object.blobId, undefined, res, () => res.writeHead(status, headers));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}
