import { isHtml } from './content-type.js';

export const CACHE_NO_CACHE = 'no-cache';
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_REVALIDATE = 'public, max-age=0, must-revalidate';

/**
 * A bundler's content hash in a file name (`main.3f9a1c2b.js`, `index-BxT5a9Qz.css`): a dot- or
 * dash-separated part of at least 8 letters/digits that holds both a digit and a letter. Requiring a digit
 * keeps plain words (`bootstrap.min.css`, `MyComponent.js`) out: calling a changing file immutable would
 * pin a stale copy in browsers for a year, while missing a real hash only costs a revalidation.
 */
export function isFingerprinted(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  for (const part of stem.split(/[.-]/)) {
    if (part.length >= 8 && /^[A-Za-z0-9_]+$/.test(part) && /[0-9]/.test(part) && /[A-Za-z]/.test(part)) return true;
  }
  return false;
}

/** Cache-Control for a site file: HTML is always revalidated, fingerprinted assets are cached for good. */
export function cacheControlOf(path: string): string {
  if (isHtml(path)) return CACHE_NO_CACHE;
  return isFingerprinted(path) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}
