import { parseByteRange } from '../../kernel/byte-range.js';
import { ServiceError } from '../../kernel/types.js';

/**
 * The inclusive byte range a `Range` header asks of an object of `size` bytes, or undefined when the
 * whole object is to be sent. Unsatisfiable ranges throw InvalidRange (416) in S3's shape.
 */
export function objectByteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const range = parseByteRange(header, size);
  if (range !== 'unsatisfiable') return range;
  throw new ServiceError('InvalidRange', 'The requested range is not satisfiable.', 416, {
    headers: { 'content-range': `bytes */${size}` },
    extra: { ActualObjectSize: String(size) },
  });
}
