import { defineErrorTable } from '@forte/protocol';

/**
 * Turns the raw request path below a site's root (still percent-encoded, as sent) into a manifest key.
 * Decodes exactly once, so `%252e%252e` stays the literal text `%2e%2e`; refuses `.`/`..` segments, NUL
 * and backslashes whether they were sent raw or encoded. The result is only ever a key of the manifest map,
 * never a file system path, so this is defence in depth and a clear answer to probing clients.
 * `''` (the root) and `dir/` map to `index.html` and `dir/index.html`.
 */
export function decodeSitePath(rawPath: string): string {
  const known = decodedPaths.get(rawPath);
  if (known !== undefined) return known;
  const path = decodeSitePathUncached(rawPath);
  // Sites serve a small set of paths over and over: remember them (bounded; probes that fail are not kept). Only
  // short ones: a client sending distinct paths of the header's 16 KB would otherwise have 10,000 of them held.
  if (rawPath.length > DECODED_PATH_MAX_CHARS) return path;
  if (decodedPaths.size >= DECODED_PATHS_MAX) decodedPaths.clear();
  decodedPaths.set(rawPath, path);
  return path;
}

/** The refusals of a hosted site's paths. */
const SITE_ERRORS = defineErrorTable('hosted-site', { InvalidPath: 400 });

const DECODED_PATHS_MAX = 10_000;
const DECODED_PATH_MAX_CHARS = 512;
const decodedPaths = new Map<string, string>();

function decodeSitePathUncached(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch (error) {
    throw SITE_ERRORS.error('InvalidPath', 'The path is not valid percent-encoding.', { cause: error });
  }
  const problem = pathProblem(decoded.startsWith('/') ? decoded.slice(1) : decoded, true);
  if (problem) throw SITE_ERRORS.error('InvalidPath', `The path ${problem}.`);
  const path = decoded.replace(/^\/+/, '');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

/**
 * Why `path` (no leading slash) cannot be a site path, or undefined when it can. Requests may end in `/`
 * (a folder index); manifest entries may not.
 */
export function pathProblem(path: string, isRequest = false): string | undefined {
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash: use forward slashes';
  if (/[\x00-\x1f\x7f]/.test(path)) return 'contains a control character';
  if (!isRequest && path.startsWith('/')) return 'starts with "/": site paths are relative to the site root';
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    const last = i === segments.length - 1;
    if (segment === '' && !(isRequest && (last || i === 0))) return 'has an empty segment ("//")';
  }
  return undefined;
}
