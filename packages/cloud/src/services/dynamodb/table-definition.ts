import { DYNAMODB_ERRORS, validationError } from './errors.js';
import type { KeyType } from './key-codec.js';

/** A key attribute: its name and type (from AttributeDefinitions). */
export interface KeyAttribute {
  name: string;
  type: KeyType;
}

/**
 * A partition key and an optional sort key. A global secondary index may have multi-attribute keys (up to 4
 * partition and 4 sort key attributes): `hash` and `range` are then the first ones and `moreHash` /
 * `moreRange` the others, in KeySchema order.
 */
export interface KeySchema {
  hash: KeyAttribute;
  range?: KeyAttribute;
  moreHash?: KeyAttribute[];
  moreRange?: KeyAttribute[];
}

/** Key attribute names (of the table and its indexes) have at most 255 bytes, as in DynamoDB. */
const MAX_KEY_NAME_BYTES = 255;

/** Up to 4 partition key and 4 sort key attributes in a global secondary index's KeySchema. */
export const MAX_INDEX_KEY_ATTRIBUTES = 4;

/** The partition key attributes, in KeySchema order. */
export function hashAttributes(key: KeySchema): KeyAttribute[] {
  return key.moreHash ? [key.hash, ...key.moreHash] : [key.hash];
}

/** The sort key attributes, in KeySchema order (none without a sort key). */
export function rangeAttributes(key: KeySchema): KeyAttribute[] {
  if (!key.range) return [];
  return key.moreRange ? [key.range, ...key.moreRange] : [key.range];
}

/** Every key attribute, partition key attributes first. */
export function keyAttributes(key: KeySchema): KeyAttribute[] {
  return key.moreHash || key.moreRange ? [...hashAttributes(key), ...rangeAttributes(key)] : key.range ? [key.hash, key.range] : [key.hash];
}

/** Whether the key has more than one partition or sort key attribute. */
export function isMultiAttributeKey(key: KeySchema): boolean {
  return key.moreHash !== undefined || key.moreRange !== undefined;
}

export interface Projection {
  ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  NonKeyAttributes?: string[];
}

export interface Throughput {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

export interface IndexDefinition {
  name: string;
  key: KeySchema;
  projection: Projection;
  throughput?: Throughput;
  /** A local secondary index: the table's partition key and another sort key, made with the table. */
  local?: true;
}

/** At most 5 local secondary indexes a table, as in DynamoDB. */
const MAX_LOCAL_INDEXES = 5;

/** Everything a table is, as kept in its metadata row (JSON). */
export interface TableDefinition {
  name: string;
  /** Internal id the item rows are keyed by (a re-created table never sees the old one's rows). */
  id: string;
  key: KeySchema;
  indexes: IndexDefinition[];
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  throughput?: Throughput;
  stream?: { StreamEnabled: boolean; StreamViewType?: string };
  /** Set when a stream was enabled: the label of its ARN. */
  streamLabel?: string;
  ttl?: { AttributeName: string; Enabled: boolean };
  /** TagResource's and CreateTable's tags. */
  tags?: Record<string, string>;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** The request fields that define a table (CreateTable input; the resource's CloudFormation properties). */
export interface TableSpec {
  TableName?: unknown;
  KeySchema?: unknown;
  AttributeDefinitions?: unknown;
  GlobalSecondaryIndexes?: unknown;
  LocalSecondaryIndexes?: unknown;
  BillingMode?: unknown;
  ProvisionedThroughput?: unknown;
  StreamSpecification?: unknown;
  TimeToLiveSpecification?: unknown;
}

const NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export function checkTableName(name: unknown, field = 'tableName'): string {
  if (typeof name !== 'string')
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (!NAME.test(name)) {
    throw validationError(
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255`,
    );
  }
  return name;
}

type AttributeTypes = Map<string, KeyType>;

/** AttributeDefinitions as a name → type map; every definition must name S, N or B. */
export function parseAttributeDefinitions(value: unknown): AttributeTypes {
  if (!Array.isArray(value) || value.length === 0)
    throw validationError('One or more parameter values were invalid: AttributeDefinitions must list the key attributes of the table and its indexes');
  const types: AttributeTypes = new Map();
  for (const [at, entry] of (value as { AttributeName?: unknown; AttributeType?: unknown }[]).entries()) {
    if (typeof entry?.AttributeName !== 'string')
      throw validationError('One or more parameter values were invalid: each AttributeDefinition needs an AttributeName and an AttributeType of S, N or B');
    if (!['S', 'N', 'B'].includes(String(entry.AttributeType))) {
      throw validationError(
        `1 validation error detected: Value '${String(entry.AttributeType)}' at 'attributeDefinitions.${at + 1}.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]`,
      );
    }
    if (types.has(entry.AttributeName))
      throw validationError(
        `Cannot have two attributes with the same name (Duplicate AttributeName in AttributeDefinitions); attribute name: ${entry.AttributeName}`,
      );
    types.set(entry.AttributeName, entry.AttributeType as KeyType);
  }
  return types;
}

/**
 * A KeySchema: one HASH and at most one RANGE element, or for a global secondary index (`multi`) up to four
 * of each, every HASH before every RANGE.
 */
export function parseKeySchema(value: unknown, types: AttributeTypes, owner: string, multi = false): KeySchema {
  const max = multi ? 2 * MAX_INDEX_KEY_ATTRIBUTES : 2;
  if (!Array.isArray(value) || value.length < 1 || value.length > max)
    throw validationError(
      multi
        ? `Invalid KeySchema: ${owner} needs one to ${MAX_INDEX_KEY_ATTRIBUTES} HASH keys and at most ${MAX_INDEX_KEY_ATTRIBUTES} RANGE keys`
        : `Invalid KeySchema: ${owner} needs one HASH key and at most one RANGE key`,
    );
  const elements = value as { AttributeName?: unknown; KeyType?: unknown }[];
  const attribute = (e: { AttributeName?: unknown } | undefined): KeyAttribute => {
    const name = e?.AttributeName;
    const type = typeof name === 'string' ? types.get(name) : undefined;
    if (typeof name === 'string' && Buffer.byteLength(name) > MAX_KEY_NAME_BYTES)
      throw validationError(
        `One or more parameter values were invalid: key attribute names have at most 255 bytes: ${name.slice(0, 32)}... has ${Buffer.byteLength(name)}`,
      );
    if (typeof name !== 'string' || !type) {
      throw validationError(
        `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${String(name)}], AttributeDefinitions: [${[...types.keys()].join(', ')}]`,
      );
    }
    return { name, type };
  };
  if (elements[0]?.KeyType !== 'HASH') throw validationError('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (!multi) {
    if (elements[1] && elements[1].KeyType !== 'RANGE') throw validationError('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
    const hash = attribute(elements[0]);
    const range = elements[1] ? attribute(elements[1]) : undefined;
    if (range && range.name === hash.name)
      throw validationError('Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name');
    return range ? { hash, range } : { hash };
  }
  const hashes: KeyAttribute[] = [];
  const ranges: KeyAttribute[] = [];
  for (const element of elements) {
    if (element?.KeyType === 'HASH') {
      if (ranges.length > 0) throw validationError(`Invalid KeySchema: in ${owner}, every HASH key element must precede every RANGE key element`);
      hashes.push(attribute(element));
    } else if (element?.KeyType === 'RANGE') ranges.push(attribute(element));
    else throw validationError(`Invalid KeySchema: KeyType must be HASH or RANGE, got ${String(element?.KeyType)}`);
  }
  if (hashes.length > MAX_INDEX_KEY_ATTRIBUTES)
    throw validationError(`Invalid KeySchema: ${owner} has ${hashes.length} HASH key elements; at most ${MAX_INDEX_KEY_ATTRIBUTES} are allowed`);
  if (ranges.length > MAX_INDEX_KEY_ATTRIBUTES)
    throw validationError(`Invalid KeySchema: ${owner} has ${ranges.length} RANGE key elements; at most ${MAX_INDEX_KEY_ATTRIBUTES} are allowed`);
  const seen = new Set<string>();
  for (const a of [...hashes, ...ranges]) {
    if (seen.has(a.name)) throw validationError(`Invalid KeySchema: two key elements of ${owner} have the same name: ${a.name}`);
    seen.add(a.name);
  }
  const key: KeySchema = { hash: hashes[0]! };
  if (ranges.length > 0) key.range = ranges[0]!;
  if (hashes.length > 1) key.moreHash = hashes.slice(1);
  if (ranges.length > 1) key.moreRange = ranges.slice(1);
  return key;
}

function parseThroughput(value: unknown, owner: string): Throughput {
  const t = value as { ReadCapacityUnits?: unknown; WriteCapacityUnits?: unknown } | undefined;
  for (const unit of ['ReadCapacityUnits', 'WriteCapacityUnits'] as const) {
    if (t && typeof t === 'object' && (t[unit] === undefined || t[unit] === null))
      throw validationError(
        `1 validation error detected: Value null at 'provisionedThroughput.${unit[0]!.toLowerCase()}${unit.slice(1)}' failed to satisfy constraint: Member must not be null (${owner})`,
      );
  }
  const read = Number(t?.ReadCapacityUnits);
  const write = Number(t?.WriteCapacityUnits);
  if (!t || !(read >= 1) || !(write >= 1))
    throw validationError(
      `One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified (at least 1) for ${owner} when BillingMode is PROVISIONED`,
    );
  return { ReadCapacityUnits: read, WriteCapacityUnits: write };
}

function parseProjection(value: unknown, index: string): Projection {
  const p = value as { ProjectionType?: unknown; NonKeyAttributes?: unknown } | undefined;
  // A Projection given without its ProjectionType is refused; a missing Projection projects ALL.
  if (p !== undefined && p !== null && p.ProjectionType === undefined)
    throw validationError(`One or more parameter values were invalid: Unknown ProjectionType: null (index ${index}); use ALL, KEYS_ONLY or INCLUDE`);
  const type = p?.ProjectionType ?? 'ALL';
  if (type !== 'ALL' && type !== 'KEYS_ONLY' && type !== 'INCLUDE')
    throw validationError(
      `1 validation error detected: Value '${String(type)}' at 'projection.projectionType' (index ${index}) failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]`,
    );
  if (type === 'INCLUDE') {
    if (Array.isArray(p?.NonKeyAttributes) && p.NonKeyAttributes.some((a) => typeof a !== 'string'))
      throw DYNAMODB_ERRORS.error('SerializationException', `NonKeyAttributes of index ${index} must be a list of strings`);
    if (!Array.isArray(p?.NonKeyAttributes) || p.NonKeyAttributes.length === 0) {
      throw validationError(`One or more parameter values were invalid: NonKeyAttributes must be specified for index ${index} when ProjectionType is INCLUDE`);
    }
    const duplicate = (p.NonKeyAttributes as string[]).find((a, i, all) => all.indexOf(a) !== i);
    if (duplicate !== undefined) throw validationError(`One or more parameter values were invalid: Duplicate NonKeyAttribute in index ${index}: ${duplicate}`);
    return { ProjectionType: type, NonKeyAttributes: p.NonKeyAttributes as string[] };
  }
  if (p?.NonKeyAttributes !== undefined)
    throw validationError(`One or more parameter values were invalid: ProjectionType of index ${index} is ${type}, but NonKeyAttributes is specified`);
  return { ProjectionType: type };
}

/** One GlobalSecondaryIndex element (CreateTable, UpdateTable's Create, the resource's property). */
export function parseIndex(value: unknown, types: AttributeTypes, billingMode: TableDefinition['billingMode']): IndexDefinition {
  const gsi = value as { IndexName?: unknown; KeySchema?: unknown; Projection?: unknown; ProvisionedThroughput?: unknown } | undefined;
  const name = checkTableName(gsi?.IndexName, 'indexName');
  const index: IndexDefinition = {
    name,
    key: parseKeySchema(gsi?.KeySchema, types, `index ${name}`, true),
    projection: parseProjection(gsi?.Projection, name),
  };
  if (billingMode === 'PROVISIONED') index.throughput = parseThroughput(gsi?.ProvisionedThroughput, `index ${name}`);
  return index;
}

/**
 * One LocalSecondaryIndex element: the table's partition key and a sort key (another attribute, or the
 * table's own), for a table that has a sort key.
 */
function parseLocalIndex(value: unknown, types: AttributeTypes, table: KeySchema): IndexDefinition {
  const lsi = value as { IndexName?: unknown; KeySchema?: unknown; Projection?: unknown } | undefined;
  const name = checkTableName(lsi?.IndexName, 'indexName');
  if (Array.isArray(lsi?.KeySchema) && lsi.KeySchema.length > 2)
    throw validationError(`Invalid KeySchema: index ${name} has ${lsi.KeySchema.length} elements; a local secondary index has at most two`);
  const key = parseKeySchema(lsi?.KeySchema, types, `index ${name}`);
  if (!table.range)
    throw validationError(
      'One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex',
    );
  if (!key.range) throw validationError(`One or more parameter values were invalid: Index KeySchema of ${name} does not have a range key`);
  if (key.hash.name !== table.hash.name)
    throw validationError(
      `One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: ${name}. index hash key: ${key.hash.name}, table hash key: ${table.hash.name}`,
    );
  return { name, key, projection: parseProjection(lsi?.Projection, name), local: true };
}

/** A structure member: absent when undefined or null (as AWS JSON protocols read null), refused when not an object. */
function optionalStructure(value: unknown, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError(`One or more parameter values were invalid: ${member} must be an object`);
  return value as Record<string, unknown>;
}

function parseStream(value: unknown): TableDefinition['stream'] {
  const s = optionalStructure(value, 'StreamSpecification');
  if (!s) return undefined;
  const viewTypes = ['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'];
  // CloudFormation's StreamSpecification has only StreamViewType; the API's has StreamEnabled too.
  const enabled = s.StreamEnabled === undefined ? s.StreamViewType !== undefined : s.StreamEnabled === true;
  if (enabled && !viewTypes.includes(String(s.StreamViewType)))
    throw validationError(`One or more parameter values were invalid: StreamViewType must be one of ${viewTypes.join(', ')} when the stream is enabled`);
  return enabled ? { StreamEnabled: true, StreamViewType: String(s.StreamViewType) } : { StreamEnabled: false };
}

function parseTtl(value: unknown): TableDefinition['ttl'] {
  const t = optionalStructure(value, 'TimeToLiveSpecification');
  if (!t) return undefined;
  if (typeof t.AttributeName !== 'string' || typeof t.Enabled !== 'boolean')
    throw validationError('One or more parameter values were invalid: TimeToLiveSpecification needs AttributeName and Enabled');
  if (t.AttributeName.length < 1 || t.AttributeName.length > 255)
    throw validationError('One or more parameter values were invalid: the TimeToLiveSpecification AttributeName must be 1 to 255 characters long');
  return { AttributeName: t.AttributeName, Enabled: t.Enabled };
}

export function parseBillingMode(value: unknown, throughput: unknown): TableDefinition['billingMode'] {
  if (value === undefined) return throughput === undefined ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  if (value !== 'PROVISIONED' && value !== 'PAY_PER_REQUEST')
    throw validationError('One or more parameter values were invalid: BillingMode must be PROVISIONED or PAY_PER_REQUEST');
  return value;
}

/**
 * Checks a table's definition as DynamoDB does and answers it (without `id` and `createdAt`).
 * A missing BillingMode means PAY_PER_REQUEST unless throughput is given.
 */
export function parseTableSpec(spec: TableSpec): Omit<TableDefinition, 'id' | 'createdAt'> {
  const name = checkTableName(spec.TableName);
  const types = parseAttributeDefinitions(spec.AttributeDefinitions);
  const billingMode = parseBillingMode(spec.BillingMode, spec.ProvisionedThroughput);
  const key = parseKeySchema(spec.KeySchema, types, 'the table');
  if (spec.GlobalSecondaryIndexes !== undefined && !Array.isArray(spec.GlobalSecondaryIndexes))
    throw validationError('One or more parameter values were invalid: GlobalSecondaryIndexes must be a list');
  const indexes = ((spec.GlobalSecondaryIndexes as unknown[] | undefined) ?? []).map((gsi) => parseIndex(gsi, types, billingMode));
  const global = indexes.length;
  if (spec.LocalSecondaryIndexes !== undefined && spec.LocalSecondaryIndexes !== null) {
    if (!Array.isArray(spec.LocalSecondaryIndexes) || spec.LocalSecondaryIndexes.length === 0)
      throw validationError('One or more parameter values were invalid: List of LocalSecondaryIndexes is empty');
    if (spec.LocalSecondaryIndexes.length > MAX_LOCAL_INDEXES)
      throw validationError(`One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of ${MAX_LOCAL_INDEXES}`);
    for (const lsi of spec.LocalSecondaryIndexes as unknown[]) indexes.push(parseLocalIndex(lsi, types, key));
  }
  const names = new Set<string>();
  for (const index of indexes) {
    if (names.has(index.name)) throw validationError(`One or more parameter values were invalid: Duplicate index name: ${index.name}`);
    names.add(index.name);
  }
  if (global > 20) throw validationError('One or more parameter values were invalid: a table has at most 20 global secondary indexes');
  const used = new Set([key, ...indexes.map((i) => i.key)].flatMap((k) => keyAttributes(k).map((a) => a.name)));
  const unused = [...types.keys()].filter((n) => !used.has(n));
  if (unused.length > 0) {
    throw validationError(
      `One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions (not a key of the table or an index: ${unused.join(', ')})`,
    );
  }
  if (billingMode === 'PAY_PER_REQUEST' && spec.ProvisionedThroughput !== undefined) {
    throw validationError(
      'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST',
    );
  }
  const definition: Omit<TableDefinition, 'id' | 'createdAt'> = { name, key, indexes, billingMode };
  if (billingMode === 'PROVISIONED') definition.throughput = parseThroughput(spec.ProvisionedThroughput, 'the table');
  const stream = parseStream(spec.StreamSpecification);
  if (stream) definition.stream = stream;
  const ttl = parseTtl(spec.TimeToLiveSpecification);
  if (ttl) definition.ttl = ttl;
  return definition;
}

/** The attribute types of every key of the table and its indexes (DescribeTable's AttributeDefinitions). */
export function attributeDefinitions(definition: Pick<TableDefinition, 'key' | 'indexes'>): { AttributeName: string; AttributeType: KeyType }[] {
  const seen = new Map<string, KeyType>();
  for (const key of [definition.key, ...definition.indexes.map((i) => i.key)]) {
    for (const a of keyAttributes(key)) seen.set(a.name, a.type);
  }
  return [...seen].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

export function keySchemaElements(key: KeySchema): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  return [
    ...hashAttributes(key).map((a) => ({ AttributeName: a.name, KeyType: 'HASH' as const })),
    ...rangeAttributes(key).map((a) => ({ AttributeName: a.name, KeyType: 'RANGE' as const })),
  ];
}
