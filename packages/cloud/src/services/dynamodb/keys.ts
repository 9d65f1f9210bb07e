import type { AttributeValue, TableItem } from '../../kernel/types.js';
import { typeOf } from './attribute-values.js';
import { validationError } from './errors.js';
import { encodeKey, encodeKeyPart } from './key-codec.js';
import {
  hashAttributes,
  isMultiAttributeKey,
  keyAttributes,
  rangeAttributes,
  type IndexDefinition,
  type KeyAttribute,
  type KeySchema,
  type Projection,
  type TableDefinition,
} from './table-definition.js';

/** The encoded primary key of an item: `sk` is empty for tables without a sort key. */
export interface EncodedKey {
  pk: Buffer;
  sk: Buffer;
}

const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

function keyValue(item: TableItem, attribute: KeyAttribute, sort: boolean): Buffer {
  const value = Object.hasOwn(item, attribute.name) ? item[attribute.name] : undefined;
  if (!value) throw validationError(`One or more parameter values were invalid: Missing the key ${attribute.name} in the item`);
  const type = typeOf(value);
  if (type !== attribute.type)
    throw validationError(`One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${type}`);
  const bytes = encodeKey(value);
  if (('S' in value && value.S === '') || ('B' in value && bytes.length === 0)) {
    throw validationError(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${attribute.name}`,
    );
  }
  if ('N' in value || bytes.length <= (sort ? MAX_SORT_KEY_BYTES : MAX_PARTITION_KEY_BYTES)) return bytes;
  throw validationError(
    `One or more parameter values were invalid: Size of ${sort ? 'sort' : 'hashkey'} has exceeded the maximum size limit of ${sort ? MAX_SORT_KEY_BYTES : MAX_PARTITION_KEY_BYTES} bytes`,
  );
}

/** The encoded primary key of an item (or of a Key parameter); throws ValidationException like DynamoDB. */
export function encodeItemKey(key: KeySchema, item: TableItem): EncodedKey {
  if (isMultiAttributeKey(key)) {
    // Each attribute's bytes made self-delimiting, so the concatenation orders as the tuple of values.
    const join = (attributes: KeyAttribute[], sort: boolean): Buffer => Buffer.concat(attributes.map((a) => encodeKeyPart(keyValue(item, a, sort))));
    return { pk: join(hashAttributes(key), false), sk: join(rangeAttributes(key), true) };
  }
  return { pk: keyValue(item, key.hash, false), sk: key.range ? keyValue(item, key.range, true) : Buffer.alloc(0) };
}

/** A Key parameter must hold exactly the key attributes. */
export function checkKeyParameter(key: KeySchema, given: TableItem): EncodedKey {
  const names = Object.keys(given);
  const expected = key.range ? 2 : 1;
  if (names.length !== expected || !names.includes(key.hash.name) || (key.range && !names.includes(key.range.name))) {
    throw validationError('The provided key element does not match the schema');
  }
  return encodeItemKey(key, given);
}

/**
 * The item's entry key in a global secondary index, or undefined when it lacks an index key attribute
 * (indexes are sparse). An index key attribute of the wrong type is refused, as DynamoDB does.
 */
export function encodeIndexKey(index: IndexDefinition, item: TableItem): EncodedKey | undefined {
  for (const attribute of keyAttributes(index.key)) {
    const value = Object.hasOwn(item, attribute.name) ? item[attribute.name] : undefined;
    if (!value) return undefined;
    const type = typeOf(value);
    if (type !== attribute.type) {
      throw validationError(
        `One or more parameter values were invalid: Type mismatch for Index Key ${attribute.name} Expected: ${attribute.type} Actual: ${type} IndexName: ${index.name}`,
      );
    }
  }
  return encodeItemKey(index.key, item);
}

/** The key attributes of an item: the table's, plus the index's for an index (LastEvaluatedKey). */
export function keyOf(item: TableItem, ...schemas: KeySchema[]): TableItem {
  const out: TableItem = {};
  for (const schema of schemas) {
    for (const attribute of keyAttributes(schema)) {
      const value: AttributeValue | undefined = item[attribute.name];
      if (value) out[attribute.name] = value;
    }
  }
  return out;
}

/** The attributes an index holds of an item (its projection): keys of both, plus ALL or the INCLUDE list. */
export function projectToIndex(item: TableItem, table: TableDefinition, index: IndexDefinition): TableItem {
  const projection: Projection = index.projection;
  if (projection.ProjectionType === 'ALL') return item;
  const out = keyOf(item, table.key, index.key);
  for (const name of projection.NonKeyAttributes ?? []) {
    const value = item[name];
    if (value) out[name] = value;
  }
  return out;
}
