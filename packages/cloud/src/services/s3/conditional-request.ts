import type { ForteError } from '@forte/protocol';
import type { S3Object } from './object-store.js';
import { S3_ERRORS } from './s3-errors.js';

export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

/**
 * Evaluates conditional headers in RFC 9110 order. Answers 'not-modified' (the caller sends 304 on
 * reads); throws PreconditionFailed (412) when If-Match / If-Unmodified-Since fail.
 */
export function checkPreconditions(object: S3Object, conditions: Preconditions): 'ok' | 'not-modified' {
  const modified = Math.floor(Date.parse(object.lastModified) / 1000);
  if (conditions.ifMatch !== undefined && !etagListMatches(conditions.ifMatch, object.etag)) throw preconditionFailed('If-Match');
  if (conditions.ifMatch === undefined && conditions.ifUnmodifiedSince !== undefined) {
    const since = Date.parse(conditions.ifUnmodifiedSince);
    if (!Number.isNaN(since) && modified > Math.floor(since / 1000)) throw preconditionFailed('If-Unmodified-Since');
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, object.etag)) return 'not-modified';
  } else if (conditions.ifModifiedSince !== undefined) {
    const since = Date.parse(conditions.ifModifiedSince);
    if (!Number.isNaN(since) && modified <= Math.floor(since / 1000)) return 'not-modified';
  }
  return 'ok';
}

/** True when a comma-separated ETag list (or `*`) names `etag` (weak comparison of quoted values). */
export function etagListMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^W\//, '').replace(/"/g, '');
  return list.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || c.replace(/^W\//, '').replace(/"/g, '') === bare;
  });
}

export function preconditionFailed(condition: string): ForteError {
  return S3_ERRORS.error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { fields: { Condition: condition } });
}
