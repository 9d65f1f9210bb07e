/** Tokens of an Accept-style header that are not refused with `q=0`, lower-cased. */
function acceptedTokens(header: string | undefined): Set<string> {
  const tokens = new Set<string>();
  if (!header) return tokens;
  for (const part of header.split(',')) {
    const [token, ...params] = part.split(';');
    const name = token?.trim().toLowerCase();
    if (!name) continue;
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p));
    if (!refused) tokens.add(name);
  }
  return tokens;
}

/** The best precomputed encoding the client accepts: brotli, then gzip, else none. */
export function pickEncoding(acceptEncoding: string | undefined, available: { br: boolean; gz: boolean }): 'br' | 'gz' | 'identity' {
  if (!acceptEncoding || (!available.br && !available.gz)) return 'identity';
  const accepted = acceptedTokens(acceptEncoding);
  if (available.br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (available.gz && (accepted.has('gzip') || accepted.has('x-gzip') || accepted.has('*'))) return 'gz';
  return 'identity';
}

/** Whether a request wants a page (a browser navigation): its Accept header names text/html. */
export function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && acceptedTokens(accept).has('text/html');
}

/** Whether `If-None-Match` names one of `etags` (weak comparison, as RFC 9110 asks for this header). */
export function matchesIfNoneMatch(header: string | undefined, etags: Set<string>): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim().replace(/^W\//, '');
    if (etags.has(tag)) return true;
  }
  return false;
}
