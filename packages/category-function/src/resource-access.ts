import type { Project } from '@forte/protocol';
import { MODEL_TABLE_SUFFIX, modelNames } from './api-models.js';
import { ref } from './function-template.js';

type Json = Record<string, unknown>;

export const CRUD = ['create', 'read', 'update', 'delete'] as const;
export const GRAPHQL_OPERATIONS = ['Query', 'Mutation', 'Subscription'] as const;
export type Operation = (typeof CRUD)[number] | (typeof GRAPHQL_OPERATIONS)[number];

/** `function-parameters.json` permissions: `{ <category>: { <resource>: operations } }`. */
export type Permissions = Record<string, Record<string, string[]>>;

/** One resource of the project a function may be given access to. */
export interface AccessibleResource {
  category: 'api' | 'auth' | 'storage' | 'function';
  resourceName: string;
  service: string;
  /** Attributes the function receives as parameters and env vars (Amplify's `getIAMPolicies` attributes). */
  attributes: string[];
  /** The operations to choose from. */
  operations: readonly Operation[];
  /** For an `@model` table (listed under storage as `<Model>:@model(appsync)`): its API and model. */
  model?: { api: string; name: string };
}

export interface DependsOn {
  category: string;
  resourceName: string;
  attributes: string[];
}

const hasApiKey = (entry: Json): boolean => {
  const auth = (entry['output'] as { authConfig?: Json } | undefined)?.authConfig;
  const modes = [auth?.['defaultAuthentication'], ...((auth?.['additionalAuthenticationProviders'] as unknown[]) ?? [])];
  return modes.some((m) => (m as Json | undefined)?.['authenticationType'] === 'API_KEY');
};

/**
 * The resources of backend-config.json a function can access (itself and layers excluded, as Amplify does), and
 * the `@model` tables of the GraphQL API, which Amplify lists under storage.
 */
export function accessibleResources(project: Project, self?: string): AccessibleResource[] {
  const backend = project.readBackendConfig();
  const out: AccessibleResource[] = [];
  for (const [category, resources] of Object.entries(backend)) {
    if (category === 'parameters') continue;
    for (const [resourceName, entry] of Object.entries(resources)) {
      const service = String(entry.service ?? '');
      if (category === 'api' && service === 'AppSync') {
        const attributes = ['GraphQLAPIIdOutput', 'GraphQLAPIEndpointOutput', ...(hasApiKey(entry) ? ['GraphQLAPIKeyOutput'] : [])];
        out.push({ category, resourceName, service, attributes, operations: GRAPHQL_OPERATIONS });
        for (const name of modelNames(project, resourceName)) {
          const model = { api: resourceName, name };
          out.push({ category: 'storage', resourceName: `${name}${MODEL_TABLE_SUFFIX}`, service: 'AppSyncModel', attributes: [], operations: CRUD, model });
        }
      } else if (category === 'api' && service === 'API Gateway') {
        out.push({ category, resourceName, service, attributes: ['ApiName', 'ApiId'], operations: CRUD });
      } else if (category === 'auth' && service === 'Cognito') {
        out.push({ category, resourceName, service, attributes: ['UserPoolId'], operations: CRUD });
      } else if (category === 'storage' && service === 'S3') {
        out.push({ category, resourceName, service, attributes: ['BucketName'], operations: CRUD });
      } else if (category === 'storage' && service === 'DynamoDB') {
        out.push({ category, resourceName, service, attributes: ['Name', 'Arn', 'StreamArn'], operations: CRUD });
      } else if (category === 'function' && service === 'Lambda' && resourceName !== self) {
        out.push({ category, resourceName, service, attributes: ['Name'], operations: CRUD });
      }
    }
  }
  return out;
}

/** `<category><resource><Attr>`: the template parameter carrying a dependency's attribute. */
export const dependencyParameter = (category: string, resourceName: string, attribute: string): string => `${category}${resourceName}${attribute}`;
/** `<CATEGORY>_<RESOURCE>_<ATTR>`: the env var Amplify names after it. */
export const dependencyEnvVar = (category: string, resourceName: string, attribute: string): string => `${category}_${resourceName}_${attribute}`.toUpperCase();

const join = (parts: unknown[], separator = ''): Json => ({ 'Fn::Join': [separator, parts] });
const arn = (service: string, rest: unknown[]): Json => join([`arn:aws:${service}:`, ref('AWS::Region'), ':', ref('AWS::AccountId'), ...rest]);

const DYNAMODB: Record<string, string[]> = {
  create: ['dynamodb:Put*', 'dynamodb:Create*', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert'],
  read: ['dynamodb:Get*', 'dynamodb:BatchGetItem', 'dynamodb:List*', 'dynamodb:Describe*', 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:PartiQLSelect'],
  update: ['dynamodb:Update*', 'dynamodb:RestoreTable*', 'dynamodb:PartiQLUpdate'],
  delete: ['dynamodb:Delete*', 'dynamodb:PartiQLDelete'],
};
const S3: Record<string, string[]> = { create: ['s3:PutObject'], read: ['s3:GetObject'], update: ['s3:PutObject'], delete: ['s3:DeleteObject'] };
const LAMBDA: Record<string, string[]> = {
  create: ['lambda:Create*', 'lambda:Put*', 'lambda:Add*'],
  read: ['lambda:Get*', 'lambda:List*', 'lambda:Invoke*'],
  update: ['lambda:Update*'],
  delete: ['lambda:Delete*', 'lambda:Remove*'],
};
const APIGATEWAY: Record<string, string[]> = {
  create: ['apigateway:POST', 'apigateway:PUT'],
  read: ['apigateway:GET', 'apigateway:HEAD', 'apigateway:OPTIONS'],
  update: ['apigateway:PATCH'],
  delete: ['apigateway:DELETE'],
};
const idp = (names: string): string[] => names.split(' ').map((n) => (n.includes(':') ? n : `cognito-idp:${n}`));
const COGNITO: Record<string, string[]> = {
  create: idp(
    'ConfirmSignUp AdminCreateUser CreateUserImportJob AdminSetUserSettings AdminLinkProviderForUser CreateIdentityProvider AdminConfirmSignUp AdminDisableUser AdminRemoveUserFromGroup SetUserMFAPreference SetUICustomization SignUp VerifyUserAttribute SetRiskConfiguration StartUserImportJob AdminSetUserPassword AssociateSoftwareToken CreateResourceServer RespondToAuthChallenge CreateUserPoolClient AdminUserGlobalSignOut GlobalSignOut AddCustomAttributes CreateGroup CreateUserPool AdminForgetDevice AdminAddUserToGroup AdminRespondToAuthChallenge ForgetDevice CreateUserPoolDomain AdminEnableUser AdminUpdateDeviceStatus StopUserImportJob InitiateAuth AdminInitiateAuth AdminSetUserMFAPreference ConfirmForgotPassword SetUserSettings VerifySoftwareToken AdminDisableProviderForUser SetUserPoolMfaConfig ChangePassword ConfirmDevice AdminResetUserPassword ResendConfirmationCode',
  ),
  read: idp(
    'cognito-identity:Describe* cognito-identity:Get* cognito-identity:List* Describe* AdminGetDevice AdminGetUser AdminList* List* cognito-sync:Describe* cognito-sync:Get* cognito-sync:List* iam:ListOpenIdConnectProviders iam:ListRoles sns:ListPlatformApplications',
  ),
  update: idp(
    'ForgotPassword UpdateAuthEventFeedback UpdateResourceServer UpdateUserPoolClient AdminUpdateUserAttributes UpdateUserAttributes UpdateUserPoolDomain UpdateIdentityProvider UpdateGroup AdminUpdateAuthEventFeedback UpdateDeviceStatus UpdateUserPool',
  ),
  delete: idp(
    'DeleteUserPoolDomain DeleteResourceServer DeleteGroup AdminDeleteUserAttributes DeleteUserPoolClient DeleteUserAttributes DeleteUserPool AdminDeleteUser DeleteIdentityProvider DeleteUser',
  ),
};

const actionsOf = (table: Record<string, string[]>, operations: string[]): string[] => [
  ...new Set(CRUD.filter((op) => operations.includes(op)).flatMap((op) => table[op] ?? [])),
];

/** The `AmplifyResourcesPolicy` statements of one accessed resource (Amplify's `getIAMPolicies` of its category). */
export function accessStatements(resource: AccessibleResource, operations: string[]): Json[] {
  const p = (attribute: string): Json => ref(dependencyParameter(resource.category, resource.resourceName, attribute));
  switch (resource.service) {
    case 'AppSync': {
      const ops = GRAPHQL_OPERATIONS.filter((op) => operations.includes(op));
      return [
        { Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: ops.map((op) => arn('appsync', [':apis/', p('GraphQLAPIIdOutput'), `/types/${op}/*`])) },
      ];
    }
    case 'API Gateway':
      return [
        {
          Effect: 'Allow',
          Action: actionsOf(APIGATEWAY, operations),
          Resource: [join(['arn:aws:apigateway:', ref('AWS::Region'), '::/restapis/', p('ApiName'), '/*'])],
        },
      ];
    case 'Cognito':
      return [{ Effect: 'Allow', Action: actionsOf(COGNITO, operations), Resource: [arn('cognito-idp', [':userpool/', p('UserPoolId')])] }];
    case 'DynamoDB':
      return [{ Effect: 'Allow', Action: actionsOf(DYNAMODB, operations), Resource: [p('Arn'), join([p('Arn'), 'index/*'], '/')] }];
    case 'AppSyncModel': {
      const table = modelTableArnParts(resource.model!.api, resource.model!.name);
      return [{ Effect: 'Allow', Action: actionsOf(DYNAMODB, operations), Resource: [join(table), join([...table, '/index/*'])] }];
    }
    case 'S3': {
      const statements: Json[] = [];
      if (operations.includes('read')) statements.push({ Effect: 'Allow', Action: 's3:ListBucket', Resource: [join(['arn:aws:s3:::', p('BucketName')])] });
      statements.push({ Effect: 'Allow', Action: actionsOf(S3, operations), Resource: [join(['arn:aws:s3:::', p('BucketName'), '/*'])] });
      return statements;
    }
    case 'Lambda':
      return [{ Effect: 'Allow', Action: actionsOf(LAMBDA, operations), Resource: [arn('lambda', [':function:', p('Name')])] }];
    default:
      return [];
  }
}

/** `Fn::ImportValue` of an `@model` table's name, exported by the API's stack. */
export const modelTableName = (api: string, model: string): Json => ({
  'Fn::ImportValue': { 'Fn::Sub': `\${api${api}GraphQLAPIIdOutput}:GetAtt:${model}Table:Name` },
});
/** The parts of an `@model` table's ARN, for `Fn::Join` with ''. */
export const modelTableArnParts = (api: string, model: string): unknown[] => [
  'arn:aws:dynamodb:',
  ref('AWS::Region'),
  ':',
  ref('AWS::AccountId'),
  ':table/',
  modelTableName(api, model),
];
/** The env vars Amplify gives an `@model` table: `API_<API>_<MODEL>TABLE_NAME` and `_ARN`. */
export const modelTableEnvVars = (api: string, model: string): Record<string, unknown> => {
  const prefix = `API_${api}_${model}TABLE`.toUpperCase();
  return { [`${prefix}_NAME`]: modelTableName(api, model), [`${prefix}_ARN`]: join(modelTableArnParts(api, model)) };
};
