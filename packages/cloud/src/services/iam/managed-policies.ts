import type { PolicyDocument } from '../../kernel/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * The AWS managed policies a role may name in `ManagedPolicyArns`, as AWS defines them: the ones Lambda
 * execution roles use. Their statements become part of the role's policies.
 */
const MANAGED: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: LOGS, Resource: '*' }] },
  'service-role/AWSLambdaDynamoDBExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', ...LOGS],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaKinesisExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
          'kinesis:ListStreams',
          'kinesis:SubscribeToShard',
          ...LOGS,
        ],
        Resource: '*',
      },
    ],
  },
};

/** The document of an AWS managed policy (`arn:aws:iam::aws:policy/<name>`); any other ARN is refused, naming it and what is supported. */
export function managedPolicyDocument(arn: string, where: string): PolicyDocument {
  const name = /^arn:aws:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  const document = name !== undefined && Object.hasOwn(MANAGED, name) ? MANAGED[name] : undefined;
  if (!document) {
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `${where}: ManagedPolicyArns names ${arn}, which Forte does not provide (it provides ${Object.keys(MANAGED)
        .map((n) => `arn:aws:iam::aws:policy/${n}`)
        .join(', ')}); put the statements you need in Policies or an AWS::IAM::Policy instead`,
    );
  }
  return document;
}
