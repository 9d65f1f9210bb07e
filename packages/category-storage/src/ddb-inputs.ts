import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError, type Project } from '@forte/protocol';
import { cliInputsPath, readCliInputs, writeCliInputs, type CliInputsKind } from './cli-inputs-file.js';

export const CATEGORY = 'storage';
export const DYNAMODB_SERVICE = 'DynamoDB';
export const S3_SERVICE = 'S3';
export const PROVIDER_PLUGIN = 'awscloudformation';

/** The column types of Amplify's walkthrough, in its order; only the first three can be keys. */
export const COLUMN_TYPES = ['string', 'number', 'binary', 'boolean', 'list', 'map', 'null', 'string-set', 'number-set', 'binary-set'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export const KEY_TYPES = ['string', 'number', 'binary'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const isKeyType = (t: string): t is KeyType => (KEY_TYPES as readonly string[]).includes(t);

/** DynamoDB's attribute type of a column type (Amplify's `getDdbAttrType`). */
export const ATTRIBUTE_TYPE: Record<ColumnType, string> = {
  string: 'S',
  number: 'N',
  binary: 'B',
  boolean: 'BOOL',
  list: 'L',
  map: 'M',
  null: 'NULL',
  'string-set': 'SS',
  'number-set': 'NS',
  'binary-set': 'BS',
};

/** Amplify's name rules: friendly names alphanumeric, table names `a-z A-Z 0-9 . - _`, columns and indexes `a-z A-Z 0-9 - _`. */
export const RESOURCE_NAME = /^[a-zA-Z0-9]+$/;
export const TABLE_NAME = /^[a-zA-Z0-9._-]+$/;
export const COLUMN_NAME = /^[a-zA-Z0-9_-]+$/;
export const INDEX_NAME = /^[a-zA-Z0-9_-]+$/;
/** DynamoDB's limit on a table's global secondary indexes. */
export const MAX_INDEXES = 20;

const keySchema = z
  .object({
    fieldName: z.string().regex(COLUMN_NAME, 'column names use a-z A-Z 0-9 - _'),
    // The schema's FieldType; only string, number and binary can be keys (checked below, naming the key).
    fieldType: z.enum(['string', 'number', 'binary', 'boolean', 'list', 'map', 'null']),
  })
  .strict();
const gsiSchema = z
  .object({ name: z.string().regex(INDEX_NAME, 'index names use a-z A-Z 0-9 - _'), partitionKey: keySchema, sortKey: keySchema.optional() })
  .strict();

/** `cli-inputs.json` of a NoSQL table: Amplify's `DynamoDBCLIInputs.schema.json`. */
export const dynamoDbInputsSchema = z
  .object({
    resourceName: z.string().regex(RESOURCE_NAME, 'friendly names use letters and digits only'),
    tableName: z.string().regex(TABLE_NAME, 'table names use a-z A-Z 0-9 . - _').max(255),
    partitionKey: keySchema,
    sortKey: keySchema.optional(),
    gsi: z.array(gsiSchema).max(MAX_INDEXES, `a table has at most ${MAX_INDEXES} global secondary indexes`).optional(),
    triggerFunctions: z.array(z.string()).optional(),
  })
  .strict();

export type KeyInput = z.infer<typeof keySchema>;
export type GsiInput = z.infer<typeof gsiSchema>;
export type DynamoDbInputs = z.infer<typeof dynamoDbInputsSchema>;

/**
 * Checks what the schema cannot: keys of a key type, one type per column across the table and its indexes,
 * distinct table keys and index keys, index names unique. Answers the problems, one line each.
 */
export function keyProblems(inputs: DynamoDbInputs): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const key = (where: string, k: KeyInput | undefined): void => {
    if (!k) return;
    if (!isKeyType(k.fieldType)) problems.push(`${where} ${k.fieldName} is a ${k.fieldType}: keys are string, number or binary`);
    const seen = types.get(k.fieldName);
    if (seen !== undefined && seen !== k.fieldType) problems.push(`${where} ${k.fieldName} is a ${k.fieldType}, but a ${seen} elsewhere in the table`);
    types.set(k.fieldName, k.fieldType);
  };
  key('partitionKey', inputs.partitionKey);
  key('sortKey', inputs.sortKey);
  if (inputs.sortKey && inputs.sortKey.fieldName === inputs.partitionKey.fieldName) problems.push('sortKey is the partition key: choose another column');
  const names = new Set<string>();
  for (const [i, gsi] of (inputs.gsi ?? []).entries()) {
    key(`gsi[${i}].partitionKey`, gsi.partitionKey);
    key(`gsi[${i}].sortKey`, gsi.sortKey);
    if (gsi.sortKey && gsi.sortKey.fieldName === gsi.partitionKey.fieldName) problems.push(`gsi ${gsi.name}: its sort key is its partition key`);
    if (names.has(gsi.name)) problems.push(`gsi ${gsi.name} is named twice`);
    names.add(gsi.name);
  }
  return problems;
}

const TABLE_INPUTS: CliInputsKind<DynamoDbInputs> = {
  schema: dynamoDbInputsSchema,
  noun: 'table',
  valid: 'NoSQL table definition',
  fix: "Fix the file (Amplify's DynamoDBCLIInputs: resourceName, tableName, partitionKey {fieldName, fieldType}, sortKey, gsi, triggerFunctions).",
  problems: keyProblems,
};

/** Reads and checks a table's cli-inputs.json, naming the file and each problem. */
export function readInputs(project: Project, resourceName: string): DynamoDbInputs {
  if (isLegacyTable(project, resourceName)) {
    throw new UserError(
      `amplify/backend/${CATEGORY}/${resourceName}/cli-inputs.json is missing: storage ${resourceName} comes from an older Amplify project, which kept only the table's template (push deploys it as written).`,
      "Write cli-inputs.json from the template's keys and indexes (packages/category-storage/README.md shows its fields); the walkthrough then edits it and push renders the template from it.",
    );
  }
  return readCliInputs(project, resourceName, TABLE_INPUTS);
}

/** Writes JSON as Amplify does: two-space indentation, no final newline. */
export function writeJson(file: string, value: unknown, indent = 2): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, indent));
}

const INPUT_KEYS = ['resourceName', 'tableName', 'partitionKey', 'sortKey', 'gsi', 'triggerFunctions'] as const;

/** cli-inputs.json with Amplify's key order (resourceName, tableName, partitionKey, sortKey, gsi, triggerFunctions). */
export function writeInputs(project: Project, inputs: DynamoDbInputs): void {
  writeCliInputs(project, inputs.resourceName, inputs, INPUT_KEYS);
}

/** The project's NoSQL tables (storage resources of service DynamoDB that are not imported). */
export function dynamoDbResources(project: Project): string[] {
  return Object.entries(project.readBackendConfig()[CATEGORY] ?? {})
    .filter(([, e]) => e.service === DYNAMODB_SERVICE && e['serviceType'] !== 'imported')
    .map(([name]) => name);
}

/** The project's Lambda functions (not layers). */
export function lambdaFunctions(project: Project): string[] {
  return Object.entries(project.readBackendConfig()['function'] ?? {})
    .filter(([, e]) => e.service === 'Lambda')
    .map(([name]) => name);
}

const FIELD_TYPE: Record<string, KeyInput['fieldType']> = { S: 'string', N: 'number', B: 'binary', BOOL: 'boolean', L: 'list', M: 'map', NULL: 'null' };

/**
 * Amplify's migration of a table from an older project (`DynamoDBInputState.migrate`): cli-inputs.json made from its
 * parameters.json (keys), its template (indexes) and storage-params.json (triggers), in that migration's key order; the
 * old files are deleted. Hand edits to the old template are not kept (Amplify's warning says so).
 */
export function migrateLegacyTable(project: Project, resourceName: string): DynamoDbInputs {
  const dir = project.resourceDir(CATEGORY, resourceName);
  const read = (file: string): Record<string, any> => {
    const text = readFileSync(join(dir, file), 'utf8');
    try {
      return JSON.parse(text) as Record<string, any>;
    } catch {
      return JSON.parse(text.replace(/,(?!\s*?[{["'\w])/g, '')) as Record<string, any>;
    }
  };
  const parameters = read('parameters.json');
  const template = read(`${resourceName}-cloudformation-template.json`);
  const storageParams = existsSync(join(dir, 'storage-params.json')) ? read('storage-params.json') : {};
  const table = template['Resources']?.['DynamoDBTable']?.['Properties'] ?? {};
  const typeOf = (name: string): KeyInput['fieldType'] =>
    FIELD_TYPE[String((table.AttributeDefinitions ?? []).find((a: { AttributeName?: string }) => a.AttributeName === name)?.AttributeType)] ?? 'string';
  const gsi = ((table.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[] }[]).map((index) => {
    const out: Record<string, unknown> = { name: index.IndexName };
    for (const k of index.KeySchema)
      out[k.KeyType === 'HASH' ? 'partitionKey' : 'sortKey'] = { fieldName: k.AttributeName, fieldType: typeOf(k.AttributeName) };
    return out;
  });
  const inputs = {
    resourceName,
    tableName: parameters['tableName'],
    partitionKey: { fieldName: parameters['partitionKeyName'], fieldType: FIELD_TYPE[parameters['partitionKeyType']] ?? 'string' },
    ...(parameters['sortKeyName'] ? { sortKey: { fieldName: parameters['sortKeyName'], fieldType: FIELD_TYPE[parameters['sortKeyType']] ?? 'string' } } : {}),
    triggerFunctions: Array.isArray(storageParams['triggerFunctions']) ? storageParams['triggerFunctions'] : [],
    gsi,
  };
  const parsed = dynamoDbInputsSchema.safeParse(inputs);
  const problems = parsed.success ? keyProblems(parsed.data) : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!parsed.success || problems.length > 0)
    throw new UserError(
      `storage ${resourceName}'s older files cannot be migrated to cli-inputs.json: ${problems.join('; ')}.`,
      'Write cli-inputs.json by hand (packages/category-storage/README.md), then delete the old template.',
    );
  writeJson(cliInputsPath(project, resourceName), inputs);
  for (const file of [`${resourceName}-cloudformation-template.json`, 'parameters.json', 'storage-params.json']) rmSync(join(dir, file), { force: true });
  return parsed.data;
}

/** Whether the table comes from an older project: its template, and no cli-inputs.json. */
export const isLegacyTable = (project: Project, resourceName: string): boolean =>
  !existsSync(cliInputsPath(project, resourceName)) &&
  existsSync(join(project.resourceDir(CATEGORY, resourceName), `${resourceName}-cloudformation-template.json`));
