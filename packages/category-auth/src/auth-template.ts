import { AUTH_RESOURCE_TYPES, RESOURCE_TYPES, TEMPLATE_FORMAT_VERSION, UserError, type Template, type TemplateResource } from '@forte/protocol';
import { MFA_SMS, MFA_TOTP, type CognitoConfig } from './cognito-config.js';
import { definitionOf, poolActionsOf, triggerFunctionName, triggersOf, usesVerificationLink, type TriggerKey } from './auth-triggers.js';
import { fieldsOf, IDENTITY_POOL_LOGIN_KEYS } from './identity-pool-federation.js';
import { verificationBucketNameOf } from './verification-page.js';

const getAtt = (id: string, attribute: string): unknown => ({ 'Fn::GetAtt': [id, attribute] });
const withEnv = (name: string, separator: string): unknown => ({ 'Fn::Join': [separator, [name, { Ref: 'env' }]] });

/** Logical id of a group's resource: `UserPoolGroup<Name>` with only letters and digits (index keeps it unique). */
export function groupLogicalId(groupName: string, index: number): string {
  return `UserPoolGroup${index}${groupName.replace(/[^A-Za-z0-9]/g, '')}`;
}

/**
 * The nested stack of an auth resource: the user pool, Amplify's two app clients (`UserPoolClientWeb` →
 * `AppClientIDWeb`, `UserPoolClient` → `AppClientID`, neither with a secret: browsers cannot keep one),
 * the groups unless Amplify's `auth/userPoolGroups` resource makes them (`groupsInOwnStack`; a project
 * pushed before that resource existed keeps one group per `userPoolGroupList` entry here, precedence =
 * position, so its groups and their members stay where they are), and the identity pool when chosen, bound
 * to the environment's AuthRole/UnauthRole (the root stack passes them as parameters; their trust names this
 * identity pool) with a Token role mapping per app client when there are groups. Outputs carry
 * Amplify's auth output names (plus ProviderURL), so amplify-meta and the frontend configs read as Amplify's.
 */
export function authTemplate(
  config: CognitoConfig,
  options: { groupsInOwnStack?: boolean; verificationPage?: Array<{ Key: string; Body: string; ContentType: string }> } = {},
): Template {
  const withIdentityPool = config.authSelections === 'identityPoolAndUserPool';
  const parameters: NonNullable<Template['Parameters']> = { env: { Type: 'String' }, AppId: { Type: 'String' } };
  if (withIdentityPool) {
    parameters.AuthRoleArn = { Type: 'String' };
    parameters.UnauthRoleArn = { Type: 'String' };
  }
  const mfas: string[] = [];
  if (config.mfaConfiguration !== 'OFF') {
    if (config.mfaTypes.includes(MFA_SMS)) mfas.push('SMS_MFA');
    if (config.mfaTypes.includes(MFA_TOTP)) mfas.push('SOFTWARE_TOKEN_MFA');
  }
  const pool: Record<string, unknown> = {
    PoolName: withEnv(config.userPoolName, '-'),
    AutoVerifiedAttributes: config.autoVerifiedAttributes,
    RequiredAttributes: config.requiredAttributes,
    PasswordPolicy: {
      MinimumLength: config.passwordPolicyMinLength,
      RequireLowercase: config.passwordPolicyCharacters.includes('Requires Lowercase'),
      RequireUppercase: config.passwordPolicyCharacters.includes('Requires Uppercase'),
      RequireNumbers: config.passwordPolicyCharacters.includes('Requires Numbers'),
      RequireSymbols: config.passwordPolicyCharacters.includes('Requires Symbols'),
    },
    MfaConfiguration: config.mfaConfiguration,
    EnabledMfas: mfas,
    EmailVerificationSubject: config.emailVerificationSubject,
    EmailVerificationMessage: config.emailVerificationMessage,
    SmsVerificationMessage: config.smsVerificationMessage,
    SmsAuthenticationMessage: config.smsAuthenticationMessage,
    UsernameCaseSensitive: config.usernameCaseSensitive,
  };
  if (config.usernameAttributes.length > 0) pool.UsernameAttributes = config.usernameAttributes;
  if (config.aliasAttributes.length > 0) pool.AliasAttributes = config.aliasAttributes;
  // A new sign-in email waits for its code (what Amplify Gen 2 and Cognito recommend): a typo in it
  // would otherwise lock the user out.
  const signInWithEmail = config.usernameAttributes.includes('email') || config.aliasAttributes.includes('email');
  if (signInWithEmail && config.autoVerifiedAttributes.includes('email')) {
    pool.UserAttributeUpdateSettings = { AttributesRequireVerificationBeforeUpdate: ['email'] };
  }

  const oauth = hostedUiOf(config);
  const client = (name: string): TemplateResource => ({
    Type: AUTH_RESOURCE_TYPES.userPoolClient,
    Properties: {
      UserPoolId: getAtt('UserPool', 'UserPoolId'),
      ClientName: name,
      GenerateSecret: false,
      RefreshTokenValidityDays: config.userpoolClientRefreshTokenValidity,
      // As Amplify: the attribute lists apply only when userpoolClientSetAttributes is on; without them the
      // clients read and write every attribute. No ExplicitAuthFlows either: Cognito's default (SRP,
      // refresh), which is what aws-amplify signs in with (authenticationFlowType USER_SRP_AUTH).
      ...(config.userpoolClientSetAttributes && config.userpoolClientReadAttributes.length > 0 ? { ReadAttributes: config.userpoolClientReadAttributes } : {}),
      ...(config.userpoolClientSetAttributes && config.userpoolClientWriteAttributes.length > 0
        ? { WriteAttributes: config.userpoolClientWriteAttributes }
        : {}),
      // As Amplify's OAuth custom resource: both clients get the hosted UI's settings.
      ...(oauth ? oauth.clientSettings : {}),
    },
  });
  const resources: Record<string, TemplateResource> = {
    UserPool: { Type: AUTH_RESOURCE_TYPES.userPool, Properties: pool },
    UserPoolClientWeb: client(`${config.resourceName}_app_clientWeb`),
    UserPoolClient: client(`${config.resourceName}_app_client`),
  };
  if (!options.groupsInOwnStack)
    config.userPoolGroupList.forEach((groupName, index) => {
      resources[groupLogicalId(groupName, index)] = {
        Type: AUTH_RESOURCE_TYPES.userPoolGroup,
        Properties: { UserPoolId: getAtt('UserPool', 'UserPoolId'), GroupName: groupName, Precedence: index },
      };
    });
  if (oauth) {
    resources.UserPoolDomain = {
      Type: AUTH_RESOURCE_TYPES.userPoolDomain,
      Properties: { UserPoolId: getAtt('UserPool', 'UserPoolId'), Domain: withEnv(oauth.domainName, '-') },
    };
  }
  addTriggers(config, parameters, pool, resources);
  addVerificationBucket(config, options.verificationPage ?? [], resources);
  const outputs: NonNullable<Template['Outputs']> = {
    UserPoolId: { Value: getAtt('UserPool', 'UserPoolId') },
    UserPoolArn: { Value: getAtt('UserPool', 'Arn') },
    UserPoolName: { Value: withEnv(config.userPoolName, '-') },
    AppClientIDWeb: { Value: getAtt('UserPoolClientWeb', 'ClientId') },
    AppClientID: { Value: getAtt('UserPoolClient', 'ClientId') },
    // Not an Amplify output: the token issuer `<cloud endpoint>/<UserPoolId>`, from which the frontend
    // configs learn where the cloud answers (amplify_outputs.json custom.forte.endpoint).
    ProviderURL: { Value: getAtt('UserPool', 'ProviderURL') },
  };
  if (oauth) {
    // Amplify's outputs (the domain prefix, the settings as a JSON string), and Forte's address of the domain
    // (`<host>:<port>/hosted-ui/<prefix>`), which aws-exports and amplify_outputs give aws-amplify as oauth.domain.
    outputs.HostedUIDomain = { Value: { Ref: 'UserPoolDomain' } };
    outputs.OAuthMetadata = { Value: oauth.metadata };
    outputs.HostedUIAddress = { Value: getAtt('UserPoolDomain', 'Address') };
  }
  if (withIdentityPool) {
    const loginProviders = identityPoolLoginProviders(config);
    const provider = (clientId: string): unknown => ({ ProviderName: getAtt('UserPool', 'ProviderName'), ClientId: getAtt(clientId, 'ClientId') });
    const tokenMapping = (clientId: string): unknown => ({
      Type: 'Token',
      AmbiguousRoleResolution: 'AuthenticatedRole',
      IdentityProvider: { 'Fn::Join': [':', [getAtt('UserPool', 'ProviderName'), getAtt(clientId, 'ClientId')]] },
    });
    resources.IdentityPool = {
      Type: AUTH_RESOURCE_TYPES.identityPool,
      Properties: {
        IdentityPoolName: withEnv(config.identityPoolName ?? `${config.resourceName}_identitypool`, '__'),
        AllowUnauthenticatedIdentities: config.allowUnauthenticatedIdentities,
        CognitoIdentityProviders: [provider('UserPoolClient'), provider('UserPoolClientWeb')],
        ...(Object.keys(loginProviders).length > 0 ? { SupportedLoginProviders: loginProviders } : {}),
        Roles: { authenticated: { Ref: 'AuthRoleArn' }, unauthenticated: { Ref: 'UnauthRoleArn' } },
        // As Amplify's user pool groups: a group's role (cognito:preferred_role) reaches its members only
        // through a Token mapping of each app client; without a group role they get the authenticated role.
        ...(config.userPoolGroupList.length > 0
          ? { RoleMappings: { UserPoolClient: tokenMapping('UserPoolClient'), UserPoolClientWeb: tokenMapping('UserPoolClientWeb') } }
          : {}),
      },
    };
    outputs.IdentityPoolId = { Value: getAtt('IdentityPool', 'IdentityPoolId') };
    outputs.IdentityPoolName = { Value: getAtt('IdentityPool', 'IdentityPoolName') };
  }
  return {
    FormatVersion: TEMPLATE_FORMAT_VERSION,
    Description: `Forte auth resource ${config.resourceName}: Cognito-compatible user pool${withIdentityPool ? ' and identity pool' : ''}`,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * With the CustomMessage `verification-link` module, Amplify's `CustomMessageConfirmationBucket`
 * (`<verificationBucketName>-<env>`, private, a website with index.html as index and error document, CORS for
 * GET) and, unlike Amplify (whose `auth push` uploads `assets/` after the stack), the page's files written by the
 * same push (`CustomMessageConfirmationPage`), so the link works as soon as the push ends and rolls back with it.
 */
function addVerificationBucket(
  config: CognitoConfig,
  page: Array<{ Key: string; Body: string; ContentType: string }>,
  resources: Record<string, TemplateResource>,
): void {
  if (!usesVerificationLink(triggersOf(config, `amplify/backend/auth/${config.resourceName}/cli-inputs.json`))) return;
  const name =
    typeof config.verificationBucketName === 'string' && config.verificationBucketName !== ''
      ? config.verificationBucketName
      : verificationBucketNameOf(config.resourceName);
  resources.CustomMessageConfirmationBucket = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: withEnv(name, '-'),
      AccessControl: 'Private',
      WebsiteConfiguration: { IndexDocument: 'index.html', ErrorDocument: 'index.html' },
      CorsConfiguration: {
        CorsRules: [{ AllowedHeaders: ['Authorization', 'Content-Length'], AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAge: 3000 }],
      },
    },
  };
  resources.CustomMessageConfirmationPage = {
    Type: RESOURCE_TYPES.bucketObjects,
    Properties: { Bucket: { Ref: 'CustomMessageConfirmationBucket' }, Objects: page },
  };
}

/**
 * The pool's Lambda triggers (cli-inputs.json `triggers`), as Amplify wires them: each trigger function's
 * `Arn` and `Name` arrive as the parameters `function<fn>Arn` / `function<fn>Name` (the auth resource's
 * dependsOn), the pool's `LambdaConfig` names the function, `UserPool<Trigger>LambdaInvokePermission` lets
 * Cognito invoke it, and a module that calls the pool (add-to-group) gets Amplify's policy on the function's
 * role, whose name is the function's (`<fn>-<env>`, as Amplify's trigger templates make both). Amplify
 * sets `LambdaConfig` from a separate stack through a custom resource to avoid a CloudFormation cycle;
 * Forte's stack engine resolves references per resource, so the pool names its functions directly.
 */
function addTriggers(
  config: CognitoConfig,
  parameters: NonNullable<Template['Parameters']>,
  pool: Record<string, unknown>,
  resources: Record<string, TemplateResource>,
): void {
  const triggers = triggersOf(config, `amplify/backend/auth/${config.resourceName}/cli-inputs.json`);
  const keys = Object.keys(triggers) as TriggerKey[];
  if (keys.length === 0) return;
  const lambdaConfig: Record<string, unknown> = {};
  for (const key of keys) {
    const fn = triggerFunctionName(config.resourceName, key);
    parameters[`function${fn}Arn`] = { Type: 'String', Default: `function${fn}Arn` };
    parameters[`function${fn}Name`] = { Type: 'String', Default: `function${fn}Name` };
    lambdaConfig[definitionOf(key).lambdaConfig] = { Ref: `function${fn}Arn` };
    resources[`UserPool${key}LambdaInvokePermission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: `function${fn}Name` },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: getAtt('UserPool', 'Arn'),
      },
    };
    const actions = poolActionsOf(key, triggers[key] ?? []);
    if (actions.length > 0) {
      resources[`${key}AddToGroupCognito`] = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `${key}AddToGroupCognito`,
          Roles: [{ Ref: `function${fn}Name` }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: getAtt('UserPool', 'Arn') }] },
        },
      };
    }
  }
  pool.LambdaConfig = lambdaConfig;
}

/**
 * The hosted UI of cli-inputs.json (`hostedUI`, `hostedUIDomainName`, `oAuthMetadata`): the domain prefix
 * (the environment's name is appended, as Amplify does) and the app clients' OAuth settings. Undefined when
 * the pool has no hosted UI.
 */
export function hostedUiOf(config: CognitoConfig): { domainName: string; metadata: string; clientSettings: Record<string, unknown> } | undefined {
  if (config['hostedUI'] !== true) return undefined;
  const source = `amplify/backend/auth/${config.resourceName}/cli-inputs.json`;
  const domainName = config['hostedUIDomainName'];
  if (typeof domainName !== 'string' || domainName === '')
    throw new UserError(`${source} has hostedUI but no hostedUIDomainName.`, 'Set hostedUIDomainName (the domain prefix) or run `forte update auth`.');
  const raw = config['oAuthMetadata'];
  let metadata: { AllowedOAuthFlows?: unknown; AllowedOAuthScopes?: unknown; CallbackURLs?: unknown; LogoutURLs?: unknown };
  try {
    metadata = JSON.parse(typeof raw === 'string' ? raw : '') as typeof metadata;
  } catch {
    throw new UserError(
      `${source} has hostedUI but its oAuthMetadata is not the JSON of the OAuth settings.`,
      'Set oAuthMetadata to {"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid",...],"CallbackURLs":[...],"LogoutURLs":[...]} or run `forte update auth`.',
    );
  }
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return {
    domainName,
    metadata: JSON.stringify(metadata),
    clientSettings: {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: strings(metadata.AllowedOAuthFlows),
      AllowedOAuthScopes: strings(metadata.AllowedOAuthScopes),
      CallbackURLs: strings(metadata.CallbackURLs),
      LogoutURLs: strings(metadata.LogoutURLs),
      SupportedIdentityProviders: ['COGNITO'],
    },
  };
}

/**
 * The identity pool's SupportedLoginProviders (`thirdPartyAuth` with `authProviders`): each provider the project
 * lists, with its app id(s) from cli-inputs.json. A listed provider without its id is a UserError naming the field.
 */
export function identityPoolLoginProviders(config: CognitoConfig): Record<string, string> {
  if (config['thirdPartyAuth'] !== true) return {};
  const listed = Array.isArray(config['authProviders']) ? (config['authProviders'] as unknown[]).map(String) : [];
  const out: Record<string, string> = {};
  for (const provider of listed) {
    const fields = fieldsOf(provider);
    if (!fields)
      throw new UserError(
        `auth ${config.resourceName}: authProviders names ${provider}, which identity pools do not federate with (${IDENTITY_POOL_LOGIN_KEYS.join(', ')}).`,
        "Remove it from authProviders in the resource's cli-inputs.json.",
      );
    const ids = fields.map((field) => config[field]).filter((id): id is string => typeof id === 'string' && id.trim() !== '');
    if (ids.length === 0)
      throw new UserError(
        `auth ${config.resourceName}: the identity pool federates with ${provider} (authProviders) but has no ${fields[0]}.`,
        `Set ${fields[0]} in the resource's cli-inputs.json (\`forte update auth\`), or remove ${provider} from authProviders.`,
      );
    out[provider] = ids.map((id) => id.trim()).join(',');
  }
  return out;
}
