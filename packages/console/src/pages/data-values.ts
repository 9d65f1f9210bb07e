import { awsCall } from '../api.js';

/** A DynamoDB attribute value, as the wire carries it. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { B: string }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };
export type Item = Record<string, AttributeValue>;

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}
export interface IndexDescription {
  IndexName: string;
  KeySchema: KeyElement[];
}
export interface TableDescription {
  TableName: string;
  KeySchema: KeyElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  ItemCount?: number;
  GlobalSecondaryIndexes?: IndexDescription[];
  LocalSecondaryIndexes?: IndexDescription[];
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
}

/** A DynamoDB operation through the console's pipe (JSON 1.0, `DynamoDB_20120810.<operation>`), as the admin. */
export function dynamodb<T>(operation: string, input: unknown): Promise<T> {
  return awsCall<T>('dynamodb/', `DynamoDB_20120810.${operation}`, input, '1.0');
}

/** The type an editor offers for a value; L and M are edited as plain JSON. */
export type FieldType = 'S' | 'N' | 'BOOL' | 'NULL' | 'L' | 'M' | 'SS' | 'NS' | 'B' | 'BS';
export const FIELD_TYPES: { type: FieldType; label: string }[] = [
  { type: 'S', label: 'String' },
  { type: 'N', label: 'Number' },
  { type: 'BOOL', label: 'Boolean' },
  { type: 'NULL', label: 'Null' },
  { type: 'M', label: 'Map (JSON)' },
  { type: 'L', label: 'List (JSON)' },
  { type: 'SS', label: 'String set (JSON)' },
  { type: 'NS', label: 'Number set (JSON)' },
  { type: 'B', label: 'Binary (base64)' },
  { type: 'BS', label: 'Binary set (JSON of base64)' },
];

export const typeOf = (value: AttributeValue): FieldType => Object.keys(value)[0] as FieldType;

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A value as plain JSON: numbers stay strings where JSON would lose their digits. */
export function plainOf(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N).toString() === value.N ? Number(value.N) : value.N;
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('B' in value) return value.B;
  if ('L' in value) return value.L.map(plainOf);
  if ('M' in value) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plainOf(v)]));
  if ('SS' in value) return value.SS;
  if ('NS' in value) return value.NS.map((n) => (Number(n).toString() === n ? Number(n) : n));
  return value.BS;
}

/** Plain JSON as a value: strings S, numbers N, booleans BOOL, null NULL, arrays L, objects M. */
export function valueOfPlain(plain: unknown, where: string): AttributeValue {
  if (typeof plain === 'string') return { S: plain };
  if (typeof plain === 'number') {
    if (!Number.isFinite(plain)) throw new Error(`${where}: ${plain} is not a number DynamoDB keeps.`);
    return { N: String(plain) };
  }
  if (typeof plain === 'boolean') return { BOOL: plain };
  if (plain === null) return { NULL: true };
  if (Array.isArray(plain)) return { L: plain.map((v, i) => valueOfPlain(v, `${where}[${i}]`)) };
  if (typeof plain === 'object') return { M: Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, valueOfPlain(v, `${where}.${k}`)])) };
  throw new Error(`${where}: a value JSON cannot hold.`);
}

/** The text an editor shows for a value of its type. */
export function textOf(value: AttributeValue): string {
  const type = typeOf(value);
  if (type === 'S' || type === 'N' || type === 'B') return (value as Record<string, string>)[type]!;
  if (type === 'BOOL') return String((value as { BOOL: boolean }).BOOL);
  if (type === 'NULL') return '';
  return JSON.stringify(plainOf(value), null, 2);
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${name}: not valid JSON (${(error as Error).message}).`);
  }
}

function stringArray(plain: unknown, name: string, what: string): string[] {
  if (!Array.isArray(plain) || plain.length === 0) throw new Error(`${name}: a ${what} is a JSON array of at least one element.`);
  const strings = plain.map((v) => (typeof v === 'number' ? String(v) : v));
  if (!strings.every((v): v is string => typeof v === 'string')) throw new Error(`${name}: every element of a ${what} is a string.`);
  if (new Set(strings).size !== strings.length) throw new Error(`${name}: a ${what} may not hold the same element twice.`);
  return strings;
}

/** What an editor's field holds as a value, or an error naming the field and what it needs. */
export function valueOfText(type: FieldType, text: string, name: string): AttributeValue {
  switch (type) {
    case 'S':
      return { S: text };
    case 'N':
      if (!NUMBER.test(text.trim())) throw new Error(`${name}: "${text}" is not a number (digits, an optional sign, point and exponent).`);
      return { N: text.trim() };
    case 'BOOL':
      return { BOOL: text === 'true' };
    case 'NULL':
      return { NULL: true };
    case 'B':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.trim()) || text.trim().length % 4 !== 0) throw new Error(`${name}: binary is written in base64.`);
      return { B: text.trim() };
    case 'L': {
      const plain = parseJson(text, name);
      if (!Array.isArray(plain)) throw new Error(`${name}: a list is a JSON array, as [1, "two"].`);
      return valueOfPlain(plain, name);
    }
    case 'M': {
      const plain = parseJson(text, name);
      if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) throw new Error(`${name}: a map is a JSON object, as {"a": 1}.`);
      return valueOfPlain(plain, name);
    }
    case 'SS':
      return { SS: stringArray(parseJson(text, name), name, 'string set') };
    case 'NS': {
      const numbers = stringArray(parseJson(text, name), name, 'number set');
      const bad = numbers.find((n) => !NUMBER.test(n));
      if (bad !== undefined) throw new Error(`${name}: "${bad}" is not a number.`);
      return { NS: numbers };
    }
    case 'BS':
      return { BS: stringArray(parseJson(text, name), name, 'binary set') };
  }
}

/** A value in a table cell: strings and numbers as they are, the rest as compact JSON. */
export function cellOf(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  if ('S' in value) return value.S;
  if ('N' in value) return value.N;
  return JSON.stringify(plainOf(value));
}

/** The table's key attributes, partition key first. */
export function keyNamesOf(keySchema: KeyElement[]): string[] {
  return [...keySchema].sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1)).map((k) => k.AttributeName);
}

/** The item's key, to address it in a write. */
export function keyOf(item: Item, keyNames: string[]): Item {
  return Object.fromEntries(keyNames.flatMap((name) => (item[name] ? [[name, item[name]]] : [])));
}
