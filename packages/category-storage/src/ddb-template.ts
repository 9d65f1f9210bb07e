import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DYNAMODB_RESOURCE_TYPES, UserError, type Template } from '@forte/protocol';
import { ATTRIBUTE_TYPE, type DynamoDbInputs, type KeyInput } from './ddb-inputs.js';

type Json = Record<string, unknown>;

const THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
const ref = (name: string): Json => ({ Ref: name });
const keySchema = (partition: KeyInput, sort: KeyInput | undefined): Json[] => [
  { AttributeName: partition.fieldName, KeyType: 'HASH' },
  ...(sort ? [{ AttributeName: sort.fieldName, KeyType: 'RANGE' }] : []),
];

/**
 * The nested stack of a NoSQL table, as Amplify's `DDBStackTransform` renders it from cli-inputs.json: one
 * `AWS::DynamoDB::Table` named `<tableName>-<env>` (`<tableName>` when env is NONE), provisioned 5/5 with a
 * `NEW_IMAGE` stream; only key attributes defined; each index projecting ALL; outputs `Name`, `Arn`,
 * `StreamArn`, the key names and types, `Region`.
 */
export function dynamoDbTemplate(inputs: DynamoDbInputs): Template {
  const used: KeyInput[] = [];
  const use = (key: KeyInput | undefined): void => {
    if (key && !used.some((u) => u.fieldName === key.fieldName)) used.push(key);
  };
  use(inputs.partitionKey);
  use(inputs.sortKey);
  const indexes = (inputs.gsi ?? []).map((gsi) => {
    use(gsi.partitionKey);
    use(gsi.sortKey);
    return {
      IndexName: gsi.name,
      KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
      Projection: { ProjectionType: 'ALL' },
      ProvisionedThroughput: THROUGHPUT,
    };
  });
  const sorted = inputs.sortKey !== undefined;
  const parameters: Json = {
    partitionKeyName: { Type: 'String' },
    partitionKeyType: { Type: 'String' },
    env: { Type: 'String' },
    ...(sorted ? { sortKeyName: { Type: 'String' }, sortKeyType: { Type: 'String' } } : {}),
    tableName: { Type: 'String' },
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'DDB Resource for AWS Amplify CLI',
    Parameters: parameters,
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: {
      DynamoDBTable: {
        Type: DYNAMODB_RESOURCE_TYPES.awsTable,
        Properties: {
          KeySchema: keySchema(inputs.partitionKey, inputs.sortKey),
          AttributeDefinitions: used.map((u) => ({ AttributeName: u.fieldName, AttributeType: ATTRIBUTE_TYPE[u.fieldType] })),
          GlobalSecondaryIndexes: indexes,
          ProvisionedThroughput: THROUGHPUT,
          StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
          TableName: { 'Fn::If': ['ShouldNotCreateEnvResources', ref('tableName'), { 'Fn::Join': ['', [ref('tableName'), '-', ref('env')]] }] },
        },
      },
    },
    Outputs: {
      Name: { Value: ref('DynamoDBTable') },
      Arn: { Value: { 'Fn::GetAtt': ['DynamoDBTable', 'Arn'] } },
      StreamArn: { Value: { 'Fn::GetAtt': ['DynamoDBTable', 'StreamArn'] } },
      PartitionKeyName: { Value: ref('partitionKeyName') },
      PartitionKeyType: { Value: ref('partitionKeyType') },
      ...(sorted ? { SortKeyName: { Value: ref('sortKeyName') }, SortKeyType: { Value: ref('sortKeyType') } } : {}),
      Region: { Value: ref('AWS::Region') },
    },
  } as Template;
}

/** The template's parameter values (Amplify's `build/parameters.json`). */
export function dynamoDbParameters(inputs: DynamoDbInputs): Record<string, string> {
  return {
    tableName: inputs.tableName,
    partitionKeyName: inputs.partitionKey.fieldName,
    partitionKeyType: ATTRIBUTE_TYPE[inputs.partitionKey.fieldType],
    ...(inputs.sortKey ? { sortKeyName: inputs.sortKey.fieldName, sortKeyType: ATTRIBUTE_TYPE[inputs.sortKey.fieldType] } : {}),
  };
}

/** Amplify's `migrate`: older storage templates carry trailing commas, which CloudFormation accepts and JSON does not. */
const withoutDanglingCommas = (text: string): string => text.replace(/,(?!\s*?[{["'\w])/g, '');

/**
 * A table of an older Amplify project, before cli-inputs.json: its `<name>-cloudformation-template.json` (Amplify's
 * earlier template, `AWS::DynamoDB::Table` too) deployed as written, with its `parameters.json` values; undefined
 * when the folder has no such template.
 */
export function legacyTableBuild(dir: string, resourceName: string): { template: Template; parameters: Record<string, unknown>; file: string } | undefined {
  const file = join(dir, `${resourceName}-cloudformation-template.json`);
  if (!existsSync(file)) return undefined;
  const read = (path: string): unknown => {
    const text = readFileSync(path, 'utf8');
    try {
      return JSON.parse(text);
    } catch {
      try {
        return JSON.parse(withoutDanglingCommas(text));
      } catch (error) {
        throw new UserError(`${path} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', { cause: error });
      }
    }
  };
  const parametersFile = join(dir, 'parameters.json');
  const parameters = existsSync(parametersFile) ? (read(parametersFile) as Record<string, unknown>) : {};
  return { template: read(file) as Template, parameters, file };
}
