import { parseByteRange } from '../../kernel/byte-range.js';
import { S3_ERRORS } from './s3-errors.js';

/**
 * The inclusive byte range a `Range` header asks of an object of `size` bytes, or undefined when the
 * whole object is to be sent. Unsatisfiable ranges throw InvalidRange (416) in S3's shape.
 */
export function objectByteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const range = parseByteRange(header, size);
  if (range !== 'unsatisfiable') return range;
  throw S3_ERRORS.error('InvalidRange', 'The requested range is not satisfiable.', {
    headers: { 'content-range': `bytes */${size}` },
    fields: { ActualObjectSize: String(size) },
  });
}
