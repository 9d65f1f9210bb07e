/**
 * aws-amplify v6 Storage builds its S3 URLs itself (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, or
 * path style for dotted bucket names) and has no setting for another endpoint. The requests are signed for
 * that AWS host; this transport sends the ones aimed at the app's own buckets to the cloud as
 * `<cloud>/s3-aws/<AWS host><path as signed>`, where the cloud verifies the signature against that host. Its
 * Kinesis analytics (in a browser, through fetch) is sent the same way, to `<cloud>/kinesis-aws/<AWS host>/`.
 */

import { installElementUrls } from './forte-storage-elements.js';

/** The hosts aws-amplify addresses: `[<bucket>.]s3.<region>.amazonaws.com[.cn]` and the accelerate endpoint. */
const AWS_S3_HOST = /^(?:([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.)?s3(?:\.[a-z0-9-]+|-accelerate)\.amazonaws\.com(?:\.cn)?$/;

/** Path prefix of the cloud's S3 route for requests signed for an AWS S3 host. */
export const S3_AWS_PATH = '/s3-aws/';

/** The hosts aws-amplify's Kinesis analytics (`record` from `aws-amplify/analytics/kinesis`) addresses. */
const AWS_KINESIS_HOST = /^kinesis\.[a-z0-9-]{1,30}\.amazonaws\.com(?:\.cn)?$/;
/** Path prefix of the cloud's Kinesis route for requests signed for an AWS Kinesis host. */
export const KINESIS_AWS_PATH = '/kinesis-aws/';

/**
 * The cloud URL for a Kinesis API call aws-amplify's analytics built (`https://kinesis.<region>.amazonaws.com/`, which
 * it has no setting to change), or undefined for any other URL. The app's streams are the cloud's.
 */
export function rewriteKinesisUrl(url: string, endpoint: string): string | undefined {
  const parsed = awsUrl(url);
  if (!parsed || parsed.pathname !== '/' || parsed.search !== '' || !AWS_KINESIS_HOST.test(parsed.hostname)) return undefined;
  return `${endpoint}${KINESIS_AWS_PATH}${parsed.hostname}/`;
}

/**
 * The cloud URL for an S3 URL that aws-amplify built for one of `buckets`, or undefined for any other URL
 * (other hosts, other buckets: those requests are left alone).
 */
export function rewriteStorageUrl(url: string, endpoint: string, buckets: ReadonlySet<string>): string | undefined {
  const parsed = awsUrl(url);
  if (!parsed) return undefined;
  const match = AWS_S3_HOST.exec(parsed.hostname);
  if (!match) return undefined;
  const bucket = match[1] ?? pathBucket(parsed.pathname);
  // Path style with no bucket: aws-amplify's DeleteObjects drops the bucket from the path; it can only be ours
  // when one of ours is addressed path style (a dotted name).
  const ours = bucket === undefined ? [...buckets].some((name) => name.includes('.')) : buckets.has(bucket);
  if (!ours) return undefined;
  return `${endpoint}${S3_AWS_PATH}${parsed.hostname}${parsed.pathname}${parsed.search}`;
}

/** `url` parsed when it can be an AWS endpoint's as aws-amplify builds them: https, on the default port, no user info. */
function awsUrl(url: string): URL | undefined {
  if (!url.startsWith('https://')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.port === '' && parsed.username === '' && parsed.password === '' ? parsed : undefined;
}

function pathBucket(pathname: string): string | undefined {
  const segment = pathname.split('/')[1];
  if (segment === undefined || segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

type Fetch = typeof globalThis.fetch;
/** The slice of a browser's XMLHttpRequest this transport wraps (the package is typed without the DOM library). */
type Open = (this: unknown, method: string, url: string | URL, ...rest: unknown[]) => void;
type XhrConstructor = { prototype: { open: Open } };

interface TransportState {
  rewrite: (url: string) => string | undefined;
}

const STATE = Symbol.for('forte.amplify.storageTransport');
/** Marks the functions this transport installed, so a second install never wraps its own wrapper. */
const WRAPPED = Symbol.for('forte.amplify.storageTransport.wrapped');
type WithState = typeof globalThis & { [STATE]?: TransportState };
type Marked<F> = F & { [WRAPPED]?: true };

function current(url: string): string | undefined {
  return (globalThis as WithState)[STATE]?.rewrite(url);
}

/**
 * The cloud's URL for a URL that `getUrl` presigned for one of the app's buckets. The transport applies it
 * to fetch, XMLHttpRequest and the `src`/`href` of elements already; this is for the places it cannot see
 * (CSS `url()`, `srcset`, a URL shown or sent elsewhere). Before `configure()` has run, or for any other
 * URL, the URL is returned as it is.
 */
export function storageUrl(url: URL | string): string {
  const href = String(url);
  return current(href) ?? href;
}

/**
 * Sends aws-amplify's S3 requests for `buckets`, and its Kinesis analytics calls, to the cloud at `endpoint`: wraps the global `fetch` (Node,
 * and presigned URLs an app fetches), `XMLHttpRequest.prototype.open` (browsers, where aws-amplify uploads
 * and downloads with XMLHttpRequest for progress events), and in browsers the `src`/`href` of elements, so a
 * presigned URL in an `<img>` loads from the cloud (forte-storage-elements.ts). Calling it again replaces the
 * buckets and endpoint instead of wrapping twice. Any other URL passes through untouched.
 */
export function installStorageTransport(endpoint: string, buckets: readonly string[]): void {
  const g = globalThis as WithState;
  const base = endpoint.replace(/\/+$/, '');
  const names = new Set(buckets);
  g[STATE] = { rewrite: (url) => rewriteStorageUrl(url, base, names) ?? rewriteKinesisUrl(url, base) };
  // Wrapped on every install unless already ours: a fetch or XMLHttpRequest that appeared since (a polyfill,
  // a test double) is covered too.
  if (typeof g.fetch === 'function' && !(g.fetch as Marked<Fetch>)[WRAPPED]) g.fetch = rewritingFetch(g.fetch);
  const xhr = (g as { XMLHttpRequest?: XhrConstructor }).XMLHttpRequest;
  if (xhr && !(xhr.prototype.open as Marked<Open>)[WRAPPED]) {
    const open = xhr.prototype.open;
    const rewritingOpen: Marked<Open> = function (this: unknown, method: string, url: string | URL, ...rest: unknown[]) {
      open.call(this, method, current(String(url)) ?? url, ...rest);
    };
    rewritingOpen[WRAPPED] = true;
    xhr.prototype.open = rewritingOpen;
  }
  installElementUrls(current);
}

function rewritingFetch(base: Fetch): Fetch {
  const forteFetch: Marked<Fetch> = function (input: Parameters<Fetch>[0], init?: RequestInit): Promise<Response> {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const target = current(url);
    if (target === undefined) return base(input, init);
    if (typeof input === 'string' || input instanceof URL) return base(target, withoutHost(init));
    return moved(input, target).then((request) => base(request, withoutHost(init)));
  };
  forteFetch[WRAPPED] = true;
  return forteFetch;
}

/**
 * A Request (the SDK clients' fetch handler sends one, Kinesis analytics' included) at the cloud's URL: the same
 * method and headers, and its body read first. Copied as a stream, a body is sent chunked, without the
 * `content-length` its signature covers.
 */
async function moved(input: Request, target: string): Promise<Request> {
  const body = input.body === null ? undefined : await input.arrayBuffer();
  const headers = new Headers(input.headers);
  headers.delete('host');
  return new Request(target, {
    method: input.method,
    headers,
    ...(body !== undefined ? { body } : {}),
    signal: input.signal,
    redirect: input.redirect,
    credentials: input.credentials,
    mode: input.mode,
  });
}

/**
 * aws-amplify passes the signed `host` header to fetch; Node would send it, naming AWS to the cloud. The
 * cloud takes the signed host from the path instead, so the header is dropped.
 */
function withoutHost(init: RequestInit | undefined): RequestInit | undefined {
  if (init?.headers === undefined) return init;
  const headers = new Headers(init.headers);
  headers.delete('host');
  return { ...init, headers };
}
