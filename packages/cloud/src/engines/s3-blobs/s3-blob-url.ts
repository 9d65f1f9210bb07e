/** Where an S3 blob store keeps its blobs, as `s3://[key:secret@]bucket[/prefix][?endpoint=…&region=…&forcePathStyle=true]` says. */
export interface S3BlobLocation {
  bucket: string;
  /** Keys are `<prefix>/<blob id>`; empty: the blob id alone. */
  prefix: string;
  /** An S3-compatible server, like `http://127.0.0.1:9000`; without it, AWS's endpoint for the region. */
  endpoint?: string;
  /** Without it, the SDK's chain: AWS_REGION, then the profile's region in ~/.aws/config. */
  region?: string;
  /** Buckets in the path (`http://host/bucket/key`), as most S3-compatible servers want, rather than in the host name. */
  forcePathStyle: boolean;
  /** From the URL's user and password; without them, the SDK's credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A blob store URL that cannot be used; the message names the problem and the fix, and never quotes a secret. */
export class BlobStoreUrlError extends Error {
  override readonly name = 'BlobStoreUrlError';
}

const EXAMPLE = 's3://my-bucket/forte?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true';
const PARAMETERS = ['endpoint', 'region', 'forcePathStyle'];
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;
const REGION = /^[a-z0-9-]{1,64}$/;

/** Parses an S3 blob store URL; throws BlobStoreUrlError naming what is wrong and how to write it. */
export function parseS3BlobUrl(text: string): S3BlobLocation {
  const fail = (problem: string): never => {
    throw new BlobStoreUrlError(`the blob store URL ${problem} (write it like ${EXAMPLE})`);
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 's3:') fail(`must start with s3://, not ${url.protocol}//`);
  const bucket = url.hostname;
  if (!bucket) fail('names no bucket: it goes right after s3://');
  if (!BUCKET.test(bucket)) fail(`names the bucket "${bucket}", which is not an S3 bucket name (3 to 63 characters: a-z, 0-9, dots, hyphens)`);
  if (url.port) fail('has a port after the bucket: give the server as ?endpoint=http://host:port');
  if (url.hash) fail('has a #fragment: remove it');

  const path = decodeOrFail(url.pathname, 'its path', fail).replace(/^\/+|\/+$/g, '');
  const segments = path === '' ? [] : path.split('/');
  for (const segment of segments)
    if (!PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..')
      fail(`has the key prefix "${path}": each part between slashes must be letters, digits or !_.*'()- and not . or ..`);

  const location: S3BlobLocation = { bucket, prefix: segments.join('/'), forcePathStyle: false };
  for (const name of new Set(url.searchParams.keys())) {
    if (!PARAMETERS.includes(name)) fail(`has the parameter "${name}", which it does not take: it takes ${PARAMETERS.join(', ')}`);
    const values = url.searchParams.getAll(name);
    if (values.length > 1) fail(`gives ${name} more than once`);
    const value = values[0]!;
    if (name === 'endpoint') {
      let endpoint: URL | undefined;
      try {
        endpoint = new URL(value);
      } catch {
        endpoint = undefined;
      }
      if (!endpoint || (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') || endpoint.search || endpoint.username || endpoint.password)
        fail('has an endpoint that is not an http:// or https:// URL like http://127.0.0.1:9000 (without credentials or a query)');
      location.endpoint = endpoint!.href.replace(/\/$/, '');
    } else if (name === 'region') {
      if (!REGION.test(value)) fail(`has the region "${value}", which is not a region name like us-east-1`);
      location.region = value;
    } else {
      if (value !== 'true' && value !== 'false') fail('has forcePathStyle that is neither true nor false');
      location.forcePathStyle = value === 'true';
    }
  }

  if (url.username || url.password) {
    if (!url.username || !url.password) fail('has an access key without its secret (or the reverse): give both as s3://KEY:SECRET@bucket, or neither');
    location.credentials = {
      accessKeyId: decodeOrFail(url.username, 'its access key', fail),
      secretAccessKey: decodeOrFail(url.password, 'its secret key', fail),
    };
  }
  return location;
}

/** The URL without its credentials, fit for logs. */
export function describeS3BlobLocation(location: S3BlobLocation): string {
  const query = new URLSearchParams();
  if (location.endpoint) query.set('endpoint', location.endpoint);
  if (location.region) query.set('region', location.region);
  if (location.forcePathStyle) query.set('forcePathStyle', 'true');
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}${search}`;
}

function decodeOrFail(text: string, what: string, fail: (problem: string) => never): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`has a bad %-escape in ${what}`);
  }
}
