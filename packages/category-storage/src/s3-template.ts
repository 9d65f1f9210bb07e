import { UserError, type Template } from '@forte/protocol';
import { S3_ACTIONS, actionsOf, triggerOf, type S3Inputs, type S3Operation } from './s3-inputs.js';

type Json = Record<string, unknown>;

const DISALLOW = 'DISALLOW';
const ref = (name: string): Json => ({ Ref: name });
const join = (parts: unknown[]): Json => ({ 'Fn::Join': ['', parts] });
const bucketArn = (path = ''): Json => join(['arn:aws:s3:::', ref('S3Bucket'), ...(path ? [path] : [])]);
const notDisallowed = (parameter: string): Json => ({ 'Fn::Not': [{ 'Fn::Equals': [ref(parameter), DISALLOW] }] });
const SUB = '${cognito-identity.amazonaws.com:sub}';

/** The actions of a prefix: the operations' actions without `s3:ListBucket` (granted on the bucket, by prefix), or DISALLOW. */
function prefixActions(ops: readonly S3Operation[]): string {
  const actions = actionsOf(ops).filter((a) => a !== 's3:ListBucket');
  return actions.length > 0 ? actions.join(',') : DISALLOW;
}
const uploadActions = (ops: readonly S3Operation[]): string => (ops.includes('CREATE_AND_UPDATE') ? S3_ACTIONS.CREATE_AND_UPDATE.join(',') : DISALLOW);
const listAllowed = (ops: readonly S3Operation[]): string => (ops.includes('READ') ? 'ALLOW' : DISALLOW);

/**
 * The values of the stack's parameters (Amplify's `build/parameters.json`, `generateCfnInputParameters`): the
 * permissions of each prefix as comma-joined actions or DISALLOW, the policy names made of the policyUUID, and the
 * root stack's role names (which the push passes).
 */
export function s3Parameters(inputs: S3Inputs): Record<string, unknown> {
  const trigger = triggerOf(inputs);
  const id = inputs.policyUUID;
  return {
    bucketName: inputs.bucketName,
    selectedGuestPermissions: actionsOf(inputs.guestAccess),
    selectedAuthenticatedPermissions: actionsOf(inputs.authAccess),
    unauthRoleName: ref('UnauthRoleName'),
    authRoleName: ref('AuthRoleName'),
    ...(trigger ? { triggerFunction: trigger } : {}),
    s3PrivatePolicy: `Private_policy_${id}`,
    s3ProtectedPolicy: `Protected_policy_${id}`,
    s3PublicPolicy: `Public_policy_${id}`,
    s3ReadPolicy: `read_policy_${id}`,
    s3UploadsPolicy: `Uploads_policy_${id}`,
    authPolicyName: `s3_amplify_${id}`,
    unauthPolicyName: `s3_amplify_${id}`,
    AuthenticatedAllowList: listAllowed(inputs.authAccess),
    GuestAllowList: listAllowed(inputs.guestAccess),
    s3PermissionsAuthenticatedPrivate: prefixActions(inputs.authAccess),
    s3PermissionsAuthenticatedProtected: prefixActions(inputs.authAccess),
    s3PermissionsAuthenticatedPublic: prefixActions(inputs.authAccess),
    s3PermissionsAuthenticatedUploads: uploadActions(inputs.authAccess),
    s3PermissionsGuestPublic: prefixActions(inputs.guestAccess),
    s3PermissionsGuestUploads: uploadActions(inputs.guestAccess),
  };
}

/** One prefix policy: the actions of a parameter on `arn:aws:s3:::<bucket><path>`, on one role, while the parameter allows. */
function prefixPolicy(options: { actions: string; path: string; policyName: string; role: string; condition: string }): Json {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: { 'Fn::Split': [',', ref(options.actions)] }, Resource: [bucketArn(options.path)] }],
      },
      PolicyName: ref(options.policyName),
      Roles: [ref(options.role)],
    },
    DependsOn: ['S3Bucket'],
    Condition: options.condition,
  };
}

/** Read of every protected file, and the list of the prefixes a role may list (`s3:prefix`, StringLike). */
function readPolicy(role: string, prefixes: string[], condition: string): Json {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyDocument: {
        Statement: [
          { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketArn('/protected/*') },
          { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': prefixes } }, Effect: 'Allow', Resource: bucketArn() },
        ],
        Version: '2012-10-17',
      },
      PolicyName: ref('s3ReadPolicy'),
      Roles: [ref(role)],
    },
    DependsOn: ['S3Bucket'],
    Condition: condition,
  };
}

/** A user pool group's policy: its operations on the whole bucket (no prefix), and the bucket's list when it may read. */
function groupPolicy(authResource: string, group: string, ops: readonly S3Operation[]): Json {
  const statements: Json[] = [{ Action: actionsOf(ops), Effect: 'Allow', Resource: bucketArn('/*') }];
  if (ops.includes('READ')) statements.push({ Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn() });
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyDocument: { Statement: statements, Version: '2012-10-17' },
      PolicyName: `${group}-group-s3-policy`,
      Roles: [join([ref(`auth${authResource}UserPoolId`), `-${group}GroupRole`])],
    },
  };
}

/**
 * The bucket's nested stack, as Amplify's S3 stack transform renders it from cli-inputs.json (`AmplifyS3ResourceCfnStack`):
 * `S3Bucket` named `<bucketName><root stack suffix>-<env>` with Amplify's CORS rule, the identity pool roles' policies
 * on `public/`, `protected/{identityId}/`, `private/{identityId}/` and `uploads/`, the read-and-list policies, one
 * policy per user pool group on the whole bucket, and with a trigger function its notification, invoke permission
 * and bucket policy. A policy whose permission is DISALLOW is left out, as Amplify leaves it out; each one is also
 * guarded by its condition.
 */
export function s3Template(inputs: S3Inputs, options: { authResource?: string | undefined } = {}): Template {
  if (inputs.adminTriggerFunction !== undefined || (inputs.additionalTriggerFunctions ?? []).length > 0) {
    throw new UserError(
      `storage ${inputs.resourceName}: adminTriggerFunction and additionalTriggerFunctions (written by the predictions category) are not supported.`,
      'Remove them from cli-inputs.json; a bucket has one trigger function (triggerFunction).',
    );
  }
  const values = s3Parameters(inputs);
  const trigger = triggerOf(inputs);
  const groups = Object.entries(inputs.groupAccess ?? {});
  if (groups.length > 0 && !options.authResource) {
    throw new UserError(
      `storage ${inputs.resourceName} grants user pool groups (${groups.map(([g]) => g).join(', ')}), but the project has no auth resource.`,
      'Add auth with user pool groups (`forte add auth`), or remove groupAccess from cli-inputs.json.',
    );
  }
  const parameters: Json = {};
  for (const name of ['env', 'bucketName', 'authRoleName', 'unauthRoleName', 'authPolicyName', 'unauthPolicyName']) parameters[name] = { Type: 'String' };
  for (const name of ['s3PublicPolicy', 's3PrivatePolicy', 's3ProtectedPolicy', 's3UploadsPolicy', 's3ReadPolicy'])
    parameters[name] = { Type: 'String', Default: 'NONE' };
  for (const name of [
    's3PermissionsAuthenticatedPublic',
    's3PermissionsAuthenticatedProtected',
    's3PermissionsAuthenticatedPrivate',
    's3PermissionsAuthenticatedUploads',
    's3PermissionsGuestPublic',
    's3PermissionsGuestUploads',
    'AuthenticatedAllowList',
    'GuestAllowList',
  ])
    parameters[name] = { Type: 'String', Default: DISALLOW };
  for (const name of ['selectedGuestPermissions', 'selectedAuthenticatedPermissions']) parameters[name] = { Type: 'CommaDelimitedList', Default: 'NONE' };
  if (trigger) {
    for (const attr of ['Arn', 'Name', 'LambdaExecutionRole'])
      parameters[`function${trigger}${attr}`] = { Type: 'String', Default: `function${trigger}${attr}` };
    parameters['triggerFunction'] = { Type: 'String' };
  }
  if (groups.length > 0) {
    const userPoolId = `auth${options.authResource}UserPoolId`;
    parameters[userPoolId] = { Type: 'String', Default: userPoolId };
    for (const [group] of groups) parameters[`authuserPoolGroups${group}GroupRole`] = { Type: 'String', Default: `authuserPoolGroups${group}GroupRole` };
  }

  const bucketName = {
    'Fn::If': [
      'ShouldNotCreateEnvResources',
      ref('bucketName'),
      join([ref('bucketName'), { 'Fn::Select': [3, { 'Fn::Split': ['-', ref('AWS::StackName')] }] }, '-', ref('env')]),
    ],
  };
  const bucket: Json = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: bucketName,
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedHeaders: ['*'],
            AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
            AllowedOrigins: ['*'],
            ExposedHeaders: ['x-amz-server-side-encryption', 'x-amz-request-id', 'x-amz-id-2', 'ETag'],
            Id: 'S3CORSRuleId1',
            MaxAge: 3000,
          },
        ],
      },
      ...(trigger
        ? {
            NotificationConfiguration: {
              LambdaConfigurations: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => ({ Event: event, Function: ref(`function${trigger}Arn`) })),
            },
          }
        : {}),
    },
    ...(trigger ? { DependsOn: ['TriggerPermissions'] } : {}),
    UpdateReplacePolicy: 'Retain',
    DeletionPolicy: 'Retain',
  };
  const resources: Json = { S3Bucket: bucket };
  if (trigger) {
    resources['TriggerPermissions'] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(`function${trigger}Name`),
        Principal: 's3.amazonaws.com',
        SourceAccount: ref('AWS::AccountId'),
        SourceArn: join(['arn:aws:s3:::', bucketName]),
      },
    };
  }
  const policies: [string, string, string, string, string, string][] = [
    // logical id, actions parameter, path, policy name parameter, role, condition
    ['S3AuthPublicPolicy', 's3PermissionsAuthenticatedPublic', '/public/*', 's3PublicPolicy', 'authRoleName', 'CreateAuthPublic'],
    ['S3AuthProtectedPolicy', 's3PermissionsAuthenticatedProtected', `/protected/${SUB}/*`, 's3ProtectedPolicy', 'authRoleName', 'CreateAuthProtected'],
    ['S3AuthPrivatePolicy', 's3PermissionsAuthenticatedPrivate', `/private/${SUB}/*`, 's3PrivatePolicy', 'authRoleName', 'CreateAuthPrivate'],
    ['S3AuthUploadPolicy', 's3PermissionsAuthenticatedUploads', '/uploads/*', 's3UploadsPolicy', 'authRoleName', 'CreateAuthUploads'],
    ['S3GuestPublicPolicy', 's3PermissionsGuestPublic', '/public/*', 's3PublicPolicy', 'unauthRoleName', 'CreateGuestPublic'],
    ['S3GuestUploadPolicy', 's3PermissionsGuestUploads', '/uploads/*', 's3UploadsPolicy', 'unauthRoleName', 'CreateGuestUploads'],
  ];
  for (const [logicalId, actions, path, policyName, role, condition] of policies) {
    if (values[actions] === DISALLOW) continue;
    resources[logicalId] = prefixPolicy({ actions, path, policyName, role, condition });
  }
  resources['S3AuthReadPolicy'] = readPolicy(
    'authRoleName',
    ['public/', 'public/*', 'protected/', 'protected/*', `private/${SUB}/`, `private/${SUB}/*`],
    'AuthReadAndList',
  );
  resources['S3GuestReadPolicy'] = readPolicy('unauthRoleName', ['public/', 'public/*', 'protected/', 'protected/*'], 'GuestReadAndList');
  for (const [group, ops] of groups) resources[`${group}GroupPolicy`] = groupPolicy(options.authResource!, group, ops);
  if (trigger) {
    resources['S3TriggerBucketPolicy'] = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn()] },
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject'], Resource: [bucketArn('/*')] },
          ],
        },
        PolicyName: 'amplify-lambda-execution-policy-storage',
        Roles: [ref(`function${trigger}LambdaExecutionRole`)],
      },
      DependsOn: ['S3Bucket'],
    };
  }

  return {
    Description: 'S3 Resource for AWS Amplify CLI',
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: parameters,
    Conditions: {
      ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] },
      CreateAuthPublic: notDisallowed('s3PermissionsAuthenticatedPublic'),
      CreateAuthProtected: notDisallowed('s3PermissionsAuthenticatedProtected'),
      CreateAuthPrivate: notDisallowed('s3PermissionsAuthenticatedPrivate'),
      CreateAuthUploads: notDisallowed('s3PermissionsAuthenticatedUploads'),
      CreateGuestPublic: notDisallowed('s3PermissionsGuestPublic'),
      CreateGuestUploads: notDisallowed('s3PermissionsGuestUploads'),
      AuthReadAndList: notDisallowed('AuthenticatedAllowList'),
      GuestReadAndList: notDisallowed('GuestAllowList'),
    },
    Outputs: {
      BucketName: { Description: 'Bucket name for the S3 bucket', Value: ref('S3Bucket') },
      Region: { Value: ref('AWS::Region') },
    },
    Resources: resources,
  } as Template;
}
