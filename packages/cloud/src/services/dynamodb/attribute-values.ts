import type { AttributeValue, TableItem } from '../../kernel/types.js';
import { DYNAMODB_ERRORS, validationError } from './errors.js';
import { compareDecimals, normalizeNumber, parseNumber } from './number.js';

export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

/** Largest item DynamoDB stores: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * DynamoDB's deepest document: 32 levels, an attribute's value being level 1 (measured against DynamoDB: a
 * scalar inside 31 nested maps is stored, inside 32 refused). It applies to every value of a request.
 */
export const MAX_NESTING_LEVELS = 32;

export function typeOf(value: AttributeValue): AttributeType {
  return Object.keys(value)[0] as AttributeType;
}

/**
 * Checks that `value` is a well-formed AttributeValue (exactly one type, sets non-empty and without
 * duplicates, valid numbers) and answers it canonical: numbers in plain notation, so that equality of
 * stored values is equality of their JSON.
 */
export function normalizeValue(value: unknown, level = 1): AttributeValue {
  // Checked before going deeper: a value nested thousands of levels must be refused, not overflow the stack.
  if (level > MAX_NESTING_LEVELS)
    throw validationError('Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validationError('Supplied AttributeValue is not an object, must contain exactly one of the supported datatypes');
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null);
  if (keys.length === 0) throw validationError('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  if (keys.length > 1) throw validationError('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  const type = keys[0]!;
  const v = (value as Record<string, unknown>)[type];
  const strings = (what: string): string[] => {
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'string'))
      throw validationError(`One or more parameter values were invalid: ${type} must be a list of ${what}`);
    return v as string[];
  };
  switch (type) {
    case 'S':
      if (typeof v !== 'string') throw validationError('One or more parameter values were invalid: S must be a string');
      return { S: v };
    case 'N':
      // A JSON number where DynamoDB's JSON has a string does not deserialize.
      if (typeof v !== 'string') throw DYNAMODB_ERRORS.error('SerializationException', 'N values are strings holding a number (sent: a JSON ' + typeof v + ')');
      return { N: normalizeNumber(v) };
    case 'B':
      if (typeof v !== 'string') throw validationError('One or more parameter values were invalid: B must be base64 text');
      return { B: canonicalBase64(v) };
    case 'BOOL':
      if (typeof v !== 'boolean') throw validationError('One or more parameter values were invalid: BOOL must be true or false');
      return { BOOL: v };
    case 'NULL':
      if (v !== true) throw validationError('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return { NULL: true };
    case 'M': {
      if (typeof v !== 'object' || Array.isArray(v)) throw validationError('One or more parameter values were invalid: M must be a map of attribute values');
      return { M: normalizeItem(v as Record<string, unknown>, level + 1) };
    }
    case 'L':
      if (!Array.isArray(v)) throw validationError('One or more parameter values were invalid: L must be a list of attribute values');
      return { L: v.map((element) => normalizeValue(element, level + 1)) };
    case 'SS':
      return { SS: uniqueSet(strings('strings'), 'An string set  may not be empty') };
    case 'NS':
      return { NS: uniqueSet(strings('numbers').map(normalizeNumber), 'An number set  may not be empty') };
    case 'BS':
      return { BS: uniqueSet(strings('base64 values').map(canonicalBase64), 'Binary sets should not be empty') };
    default:
      throw validationError(`Supplied AttributeValue has an unknown datatype ${JSON.stringify(type)}, must contain exactly one of the supported datatypes`);
  }
}

function uniqueSet(elements: string[], emptyMessage: string): string[] {
  if (elements.length === 0) throw validationError(`One or more parameter values were invalid: ${emptyMessage}`);
  if (new Set(elements).size !== elements.length)
    throw validationError(`One or more parameter values were invalid: Input collection [${elements.join(', ')}] contains duplicates.`);
  return elements;
}

function canonicalBase64(text: string): string {
  // Padded base64 only, as DynamoDB reads it; anything else does not deserialize.
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw DYNAMODB_ERRORS.error(
      'SerializationException',
      `Base64 value for a B or BS attribute is not valid padded base64: ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`,
    );
  return Buffer.from(text, 'base64').toString('base64');
}

/** Normalises every value of an item (or key, or map); `level` is the level of its values (1: attributes). */
export function normalizeItem(item: unknown, level = 1): TableItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw validationError('One or more parameter values were invalid: expected a map of attribute names to attribute values');
  const out: TableItem = {};
  for (const [name, value] of Object.entries(item)) {
    if (level === 1) checkAttributeName(name);
    out[name] = normalizeValue(value, level);
  }
  return out;
}

/** Attribute names have 1 to 65,535 bytes of UTF-8, as in DynamoDB. */
export const MAX_ATTRIBUTE_NAME_BYTES = 65535;

/** Refuses an empty attribute name or one over 65,535 bytes, with DynamoDB's messages. */
export function checkAttributeName(name: string, where = ''): void {
  if (name.length === 0) throw validationError(`One or more parameter values were invalid: Empty attribute name${where}`);
  if (name.length > MAX_ATTRIBUTE_NAME_BYTES / 4 && Buffer.byteLength(name) > MAX_ATTRIBUTE_NAME_BYTES)
    throw validationError(`One or more parameter values were invalid: Attribute name is too large, must be less than 65536 bytes${where}`);
}

/** DynamoDB's size accounting (names + values), used for the 400 KB item limit and 1 MB pages. */
export function itemSize(item: TableItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

export function valueSize(value: AttributeValue): number {
  if ('S' in value) return Buffer.byteLength(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return Buffer.from(value.B, 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if ('NS' in value) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if ('BS' in value) return value.BS.reduce((n, s) => n + Buffer.from(s, 'base64').length, 0);
  if ('L' in value) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueSize(v), 0);
}

function numberSize(text: string): number {
  return Math.ceil(parseNumber(text).digits.length / 2) + 1;
}

/** DynamoDB equality: same type and value; sets regardless of order. Values are canonical (normalizeValue). */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  // Strings and (canonical) numbers, the values filters compare most, without building their JSON.
  if ('S' in a) return 'S' in b && a.S === b.S;
  if ('N' in a) return 'N' in b && a.N === b.N;
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  if (type === 'SS' || type === 'NS' || type === 'BS') {
    const x = Object.values(a)[0] as string[];
    const y = new Set(Object.values(b)[0] as string[]);
    return x.length === y.size && x.every((e) => y.has(e));
  }
  if (type === 'M') {
    const x = (a as { M: TableItem }).M;
    const y = (b as { M: TableItem }).M;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => y[k] !== undefined && valuesEqual(x[k]!, y[k]));
  }
  if (type === 'L') {
    const x = (a as { L: AttributeValue[] }).L;
    const y = (b as { L: AttributeValue[] }).L;
    return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i]!));
  }
  if (type === 'B') return Buffer.from((a as { B: string }).B, 'base64').equals(Buffer.from((b as { B: string }).B, 'base64'));
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Orders two scalars of the same type (S by UTF-8 bytes, N numerically, B by bytes); undefined when not comparable. */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('S' in a && 'S' in b) return Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  if ('N' in a && 'N' in b) return compareDecimals(parseNumber(a.N), parseNumber(b.N));
  if ('B' in a && 'B' in b) return Buffer.compare(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}
