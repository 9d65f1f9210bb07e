import type { AttributeValue } from '../../kernel/types.js';
import { parseNumber, type Decimal } from './number.js';

/** The types a key attribute may have. */
export type KeyType = 'S' | 'N' | 'B';

/**
 * Encodes a key value so that byte order (SQLite's BLOB memcmp, PostgreSQL's bytea) is DynamoDB's order:
 * strings as their UTF-8 bytes (DynamoDB orders strings by UTF-8 bytes), binary as is, numbers by
 * `encodeNumber`. The value must already have the key's type.
 */
export function encodeKey(value: AttributeValue): Buffer {
  if ('S' in value) return Buffer.from(value.S, 'utf8');
  if ('B' in value) return Buffer.from(value.B, 'base64');
  if ('N' in value) return encodeNumber(parseNumber(value.N));
  throw new Error('key values are S, N or B');
}

/**
 * Order-preserving bytes of a number: a sign byte (1 negative, 2 zero, 3 positive), the exponent as two
 * bytes offset by 32768, then one byte per digit (digit + 1). Negative numbers invert exponent and digits
 * and end with 0xFF, so that a shorter mantissa (`-0.12`) sorts after a longer one sharing its prefix
 * (`-0.123`), as it is the larger number.
 */
export function encodeNumber(d: Decimal): Buffer {
  if (d.sign === 0) return Buffer.from([2]);
  const negative = d.sign < 0;
  const out = Buffer.alloc(3 + d.digits.length + (negative ? 1 : 0));
  out[0] = negative ? 1 : 3;
  const exponent = d.exponent + 32768;
  out[1] = negative ? 0xff - (exponent >> 8) : exponent >> 8;
  out[2] = negative ? 0xff - (exponent & 0xff) : exponent & 0xff;
  for (let i = 0; i < d.digits.length; i++) {
    const byte = d.digits.charCodeAt(i) - 47; // '0' → 1
    out[3 + i] = negative ? 0xff - byte : byte;
  }
  if (negative) out[out.length - 1] = 0xff;
  return out;
}

/**
 * The smallest byte string greater than every string starting with `prefix` (for `begins_with` on a sort
 * key as a range), or undefined when there is none (a prefix of only 0xFF bytes).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1] = out[end - 1]! + 1;
  return out;
}

/**
 * One attribute of a multi-attribute key, made self-delimiting so that concatenated parts order as the
 * tuple of their values: each 0x00 byte becomes 0x00 0xFF and the part ends with 0x00 0x00 (a part that is
 * a prefix of another ends first, and sorts first).
 */
export function encodeKeyPart(bytes: Buffer): Buffer {
  return Buffer.concat([escapeKeyBytes(bytes), KEY_PART_END]);
}

/** The bytes of a key part without its end mark (for a prefix bound). */
export function escapeKeyBytes(bytes: Buffer): Buffer {
  if (!bytes.includes(0)) return bytes;
  const out: number[] = [];
  for (const b of bytes) {
    out.push(b);
    if (b === 0) out.push(0xff);
  }
  return Buffer.from(out);
}

/** Ends a key part. */
export const KEY_PART_END = Buffer.from([0, 0]);
/** Just above every part that ends here: a bound past all the key parts equal to a value. */
export const KEY_PART_AFTER = Buffer.from([0, 1]);
