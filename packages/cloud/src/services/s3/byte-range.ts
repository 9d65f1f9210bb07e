import { ServiceError } from '../../kernel/types.js';

/**
 * The inclusive byte range a `Range` header asks of an object of `size` bytes, or undefined when the
 * whole object is to be sent (no header, or a form S3 ignores: several ranges, other units).
 * Unsatisfiable ranges throw InvalidRange (416).
 */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined; // syntactically invalid: ignored, as S3
  }
  if (start >= size || size === 0) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): ServiceError {
  return new ServiceError('InvalidRange', 'The requested range is not satisfiable.', 416, {
    headers: { 'content-range': `bytes */${size}` },
    extra: { ActualObjectSize: String(size) },
  });
}
