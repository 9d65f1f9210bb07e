import { platform } from 'node:os';
import type { Template } from '@forte/protocol';
import { NODE_RUNTIME } from './function-files.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ Ref: name });
const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });
/** `<value>` when env is NONE, else `<value>-<env>` (Amplify's naming of every env-scoped physical name). */
const perEnvName = (value: string): Json => ({
  'Fn::If': ['ShouldNotCreateEnvResources', value, { 'Fn::Join': ['', [value, '-', ref('env')]] }],
});

/** Amplify's `Description` of a function stack: who created it, on which system, and the stack type. */
export function stackDescription(stackType: 'function-Lambda' | 'function-LambdaLayer', version: string): string {
  const createdOn = platform() === 'darwin' ? 'Mac' : platform() === 'win32' ? 'Windows' : 'Linux';
  return JSON.stringify({ createdOn, createdBy: 'Forte', createdWith: version, stackType, metadata: {} });
}

export interface FunctionTemplateOptions {
  functionName: string;
  /** `<project>LambdaRole<8 hex>`; the template appends `-<env>`. */
  roleName: string;
  version: string;
  runtime?: string;
  /** Extra statements of `lambdaexecutionpolicy` (the CRUD template's table access). */
  executionStatements?: Json[];
  /** Parameters a template's own dependencies need (`storage<res>Name`, ...), each defaulting to its name. */
  dependencyParameters?: string[];
}

/**
 * The function stack as Amplify's `lambda-function-cloudformation-template.json.ejs` renders it for a new
 * Node.js function. Advanced settings are applied to it afterwards (function-settings.ts), so `add` and
 * `update` edit the same structure.
 */
export function functionTemplate(options: FunctionTemplateOptions): Template {
  const parameters: Json = {
    CloudWatchRule: { Type: 'String', Default: 'NONE', Description: ' Schedule Expression' },
    deploymentBucketName: { Type: 'String' },
    env: { Type: 'String' },
    s3Key: { Type: 'String' },
  };
  for (const name of options.dependencyParameters ?? []) parameters[name] = { Type: 'String', Default: name };
  const logStatement = {
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: {
      'Fn::Sub': [
        'arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${lambda}:log-stream:*',
        { region: ref('AWS::Region'), account: ref('AWS::AccountId'), lambda: ref('LambdaFunction') },
      ],
    },
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: stackDescription('function-Lambda', options.version),
    Parameters: parameters as Template['Parameters'],
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: {
      LambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:asset:path': './src', 'aws:asset:property': 'Code' },
        Properties: {
          Code: { S3Bucket: ref('deploymentBucketName'), S3Key: ref('s3Key') },
          Handler: 'index.handler',
          FunctionName: perEnvName(options.functionName),
          Environment: { Variables: { ENV: ref('env'), REGION: ref('AWS::Region') } },
          Role: getAtt('LambdaExecutionRole', 'Arn'),
          Runtime: options.runtime ?? NODE_RUNTIME,
          Layers: [],
          Timeout: 25,
        },
      },
      LambdaExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: perEnvName(options.roleName),
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
          },
        },
      },
      lambdaexecutionpolicy: {
        DependsOn: ['LambdaExecutionRole'],
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'lambda-execution-policy',
          Roles: [ref('LambdaExecutionRole')],
          PolicyDocument: { Version: '2012-10-17', Statement: [logStatement, ...(options.executionStatements ?? [])] },
        },
      },
    },
    Outputs: {
      Name: { Value: ref('LambdaFunction') },
      Arn: { Value: getAtt('LambdaFunction', 'Arn') },
      Region: { Value: ref('AWS::Region') },
      LambdaExecutionRole: { Value: ref('LambdaExecutionRole') },
      LambdaExecutionRoleArn: { Value: getAtt('LambdaExecutionRole', 'Arn') },
    },
  };
}

export { ref, getAtt };
