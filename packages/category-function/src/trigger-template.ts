import type { Template } from '@forte/protocol';
import { ref } from './function-template.js';
import type { DependsOn } from './resource-access.js';

type Json = Record<string, unknown>;

/** Where a Lambda trigger reads from (Amplify's event source walkthrough). */
export type TriggerSource =
  | { type: 'dynamodb-model'; api: string; models: string[] }
  | { type: 'dynamodb-storage'; resourceName: string }
  | { type: 'dynamodb-arn'; arn: string }
  | { type: 'kinesis-arn'; arn: string }
  | { type: 'kinesis-analytics'; resourceName: string };

const DYNAMODB_STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
const KINESIS_STREAM_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:ListStreams',
  'kinesis:SubscribeToShard',
];

function mapping(resources: Record<string, unknown>, suffix: string, streamArn: unknown, actions: string[]): void {
  resources[`LambdaTriggerPolicy${suffix}`] = {
    DependsOn: ['LambdaExecutionRole'],
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: `amplify-lambda-execution-policy${suffix ? `-${suffix}` : ''}`,
      Roles: [ref('LambdaExecutionRole')],
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: streamArn }] },
    },
  };
  resources[`LambdaEventSourceMapping${suffix}`] = {
    Type: 'AWS::Lambda::EventSourceMapping',
    DependsOn: [`LambdaTriggerPolicy${suffix}`, 'LambdaExecutionRole'],
    Properties: {
      BatchSize: 100,
      Enabled: true,
      EventSourceArn: streamArn,
      FunctionName: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] },
      StartingPosition: 'LATEST',
    },
  };
}

/** Adds the trigger's policies and event source mappings; returns what the function then depends on. */
export function applyTrigger(t: Template, source: TriggerSource): DependsOn[] {
  const resources = t.Resources as Record<string, unknown>;
  const parameters = (t.Parameters ??= {}) as Json;
  const parameter = (name: string): void => void (parameters[name] = { Type: 'String', Default: name });
  switch (source.type) {
    case 'dynamodb-model': {
      for (const attribute of ['GraphQLAPIIdOutput', 'GraphQLAPIEndpointOutput']) parameter(`api${source.api}${attribute}`);
      for (const model of source.models) {
        const arn = { 'Fn::ImportValue': { 'Fn::Sub': `\${api${source.api}GraphQLAPIIdOutput}:GetAtt:${model}Table:StreamArn` } };
        mapping(resources, model, arn, DYNAMODB_STREAM_ACTIONS);
      }
      return [{ category: 'api', resourceName: source.api, attributes: ['GraphQLAPIIdOutput', 'GraphQLAPIEndpointOutput'] }];
    }
    case 'dynamodb-storage':
      parameter(`storage${source.resourceName}StreamArn`);
      mapping(resources, '', ref(`storage${source.resourceName}StreamArn`), DYNAMODB_STREAM_ACTIONS);
      return [{ category: 'storage', resourceName: source.resourceName, attributes: ['StreamArn'] }];
    case 'dynamodb-arn':
      mapping(resources, '', source.arn, DYNAMODB_STREAM_ACTIONS);
      return [];
    case 'kinesis-arn':
      mapping(resources, '', source.arn, KINESIS_STREAM_ACTIONS);
      return [];
    case 'kinesis-analytics':
      parameter(`analytics${source.resourceName}kinesisStreamArn`);
      mapping(resources, '', ref(`analytics${source.resourceName}kinesisStreamArn`), KINESIS_STREAM_ACTIONS);
      return [{ category: 'analytics', resourceName: source.resourceName, attributes: ['kinesisStreamArn'] }];
  }
}

/** The CRUD template's own table access (a statement of `lambdaexecutionpolicy`), on `storage<res>Arn`. */
export function crudStatement(table: string): Json {
  const arn = ref(`storage${table}Arn`);
  return {
    Effect: 'Allow',
    Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    Resource: [arn, { 'Fn::Join': ['/', [arn, 'index/*']] }],
  };
}
