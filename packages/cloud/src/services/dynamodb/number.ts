import { validationError } from './errors.js';
import { withoutTrailing } from '../../kernel/without-trailing.js';

/**
 * A DynamoDB number: `sign × 0.digits × 10^exponent`, `digits` without leading or trailing zeros (empty for
 * zero). DynamoDB keeps 38 significant digits and magnitudes from 1E-130 to under 1E+126, beyond what a JS
 * number holds, so numbers are kept as decimal strings and computed on with BigInt.
 */
export interface Decimal {
  sign: -1 | 0 | 1;
  digits: string;
  exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_DIGITS = 38;
/** 0.d × 10^126 is 1E+125 × d.…: the largest exponent DynamoDB stores (up to 9.99…E+125). */
const MAX_EXPONENT = 126;
/** 0.1 × 10^-129 is 1E-130, the smallest magnitude DynamoDB stores. */
const MIN_EXPONENT = -129;

/** Parses and range-checks a number as DynamoDB does; throws ValidationException with DynamoDB's messages. */
export function parseNumber(text: string): Decimal {
  const m = NUMBER.exec(text);
  const whole = m?.[2] ?? '';
  const fraction = m?.[3] ?? '';
  if (!m || (whole === '' && fraction === '')) throw validationError(`The parameter cannot be converted to a numeric value: ${text}`);
  // An exponent this large is out of range whatever the digits (and is not worth computing with).
  if (m[4] !== undefined && Math.abs(Number(m[4])) > 1e6 && /[1-9]/.test(whole + fraction)) {
    throw validationError(
      Number(m[4]) > 0
        ? 'Number overflow. Attempting to store a number with magnitude larger than supported range'
        : 'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
  const all = whole + fraction;
  const firstNonZero = all.search(/[1-9]/);
  if (firstNonZero < 0) return { sign: 0, digits: '', exponent: 0 };
  // Trailing zeros cut by a scan: /0+$/ backtracked over every run of zeros (20,000 of them: half a second).
  const digits = withoutTrailing(all.slice(firstNonZero), '0');
  const exponent = whole.length - firstNonZero + Number(m[4] ?? 0);
  return checkRange({ sign: m[1] === '-' ? -1 : 1, digits, exponent });
}

function checkRange(d: Decimal): Decimal {
  if (d.sign === 0) return d;
  if (d.digits.length > MAX_DIGITS) throw validationError('Attempting to store more than 38 significant digits in a Number');
  if (d.exponent > MAX_EXPONENT) throw validationError('Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (d.exponent < MIN_EXPONENT) throw validationError('Number underflow. Attempting to store a number with magnitude smaller than supported range');
  return d;
}

/** The canonical text DynamoDB-style: plain decimal notation, no superfluous zeros (`1.50` → `1.5`). */
export function formatNumber(d: Decimal): string {
  if (d.sign === 0) return '0';
  const sign = d.sign < 0 ? '-' : '';
  if (d.exponent <= 0) return `${sign}0.${'0'.repeat(-d.exponent)}${d.digits}`;
  if (d.exponent >= d.digits.length) return sign + d.digits + '0'.repeat(d.exponent - d.digits.length);
  return `${sign}${d.digits.slice(0, d.exponent)}.${d.digits.slice(d.exponent)}`;
}

/** Validates and canonicalises number text. */
export function normalizeNumber(text: string): string {
  return formatNumber(parseNumber(text));
}

/** Orders two numbers: negative, zero or positive like `a - b`. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  if (a.sign !== b.sign) return a.sign - b.sign;
  if (a.sign === 0) return 0;
  let magnitude = a.exponent - b.exponent;
  if (magnitude === 0) magnitude = a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  return a.sign * Math.sign(magnitude);
}

/** `a + b`, exact; throws ValidationException when the result needs more than 38 digits or leaves the range. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const [ia, ea] = toInteger(a);
  const [ib, eb] = toInteger(b);
  const e = Math.min(ea, eb);
  const sum = ia * 10n ** BigInt(ea - e) + ib * 10n ** BigInt(eb - e);
  if (sum === 0n) return { sign: 0, digits: '', exponent: 0 };
  const text = (sum < 0n ? -sum : sum).toString();
  const digits = text.replace(/0+$/, '');
  const result = { sign: sum < 0n ? -1 : 1, digits, exponent: text.length + e } as const;
  if (digits.length > MAX_DIGITS)
    throw validationError('Attempting to store more than 38 significant digits in a number: the result of the arithmetic is not exact');
  return checkRange(result);
}

export function negateDecimal(d: Decimal): Decimal {
  return { ...d, sign: (0 - d.sign) as Decimal['sign'] };
}

/** The value as `integer × 10^e`. */
function toInteger(d: Decimal): [bigint, number] {
  if (d.sign === 0) return [0n, 0];
  return [BigInt(d.digits) * BigInt(d.sign), d.exponent - d.digits.length];
}
