import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand, type Credentials } from '@aws-sdk/client-cognito-identity';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteUserAttributesCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

/**
 * Attacks on user attributes, ID token claims and identity pool roles, through the unmodified AWS SDK
 * clients against a real cloud with two apps. Each rule is shown both ways: who is allowed, who is not.
 */

let cloud: TestCloud;
let idp: CognitoIdentityProviderClient;
let identity: CognitoIdentityClient;
const PASSWORD = 'Correct-Horse-9';
const PASSWORD_FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

interface App {
  userPoolId: string;
  provider: string;
  clientId: string;
  identityPoolId: string;
  authRole: string;
  unauthRole: string;
}

const ctx = (appId: string, logicalId: string): ResourceContext => ({
  appId,
  appSlug: appId,
  envName: 'dev',
  stackName: `amplify-${appId}-dev-auth`,
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});
const create = async (type: string, props: Record<string, unknown>, context: ResourceContext) =>
  await cloud.kernel.resourceHandler(type)!.create(props, context);
const update = async (type: string, physicalId: string, props: Record<string, unknown>, context: ResourceContext) =>
  cloud.kernel.resourceHandler(type)!.update(physicalId, props, {}, context);

const tableArn = (name: string): string => `arn:aws:dynamodb:us-east-1:${cloud.kernel.config.accountId}:table/${name}`;
const statements = (...actions: string[]) => [{ Effect: 'Allow', Action: actions, Resource: [tableArn('Orders')] }];

async function role(appId: string, name: string, trust: unknown, policy: unknown[]): Promise<string> {
  const made = await create(
    'Forte::IAM::Role',
    { RoleName: name, AssumeRolePolicyDocument: trust, Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: policy } }] },
    ctx(appId, name),
  );
  return String(made.attributes.Arn);
}

/** Sets a role's trust (as the environment's roles get theirs once the identity pool exists). */
async function setTrust(appId: string, name: string, trust: unknown, policy: unknown[]): Promise<void> {
  await update(
    'Forte::IAM::Role',
    name,
    { RoleName: name, AssumeRolePolicyDocument: trust, Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: policy } }] },
    ctx(appId, name),
  );
}

/** An app as the auth category deploys it: user pool (with a custom schema), client, identity pool, auth/unauth roles trusting only it. */
async function deployApp(appId: string, clientProps: Record<string, unknown> = {}, poolProps: Record<string, unknown> = {}): Promise<App> {
  const pool = await create(AUTH_RESOURCE_TYPES.userPool, { PoolName: `${appId}_users`, ...poolProps }, ctx(appId, 'UserPool'));
  const userPoolId = String(pool.attributes.UserPoolId);
  const provider = String(pool.attributes.ProviderName);
  const clientId = String(
    (
      await create(
        AUTH_RESOURCE_TYPES.userPoolClient,
        { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: PASSWORD_FLOWS, ...clientProps },
        ctx(appId, 'UserPoolClientWeb'),
      )
    ).attributes.ClientId,
  );
  const authPolicy = statements('dynamodb:GetItem');
  const authRole = await role(appId, `${appId}-authRole`, { Statement: [] }, authPolicy);
  const unauthRole = await role(appId, `${appId}-unauthRole`, { Statement: [] }, []);
  const identityPoolId = String(
    (
      await create(
        AUTH_RESOURCE_TYPES.identityPool,
        {
          IdentityPoolName: `${appId}_identitypool`,
          AllowUnauthenticatedIdentities: true,
          CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
          Roles: { authenticated: authRole, unauthenticated: unauthRole },
        },
        ctx(appId, 'IdentityPool'),
      )
    ).attributes.IdentityPoolId,
  );
  await setTrust(appId, `${appId}-authRole`, identityPoolTrust({ identityPoolId, amr: 'authenticated' }), authPolicy);
  await setTrust(appId, `${appId}-unauthRole`, identityPoolTrust({ identityPoolId, amr: 'unauthenticated' }), []);
  return { userPoolId, provider, clientId, identityPoolId, authRole, unauthRole };
}

async function setRoleMappings(appId: string, app: App, roleMappings: Record<string, unknown>): Promise<void> {
  await update(
    AUTH_RESOURCE_TYPES.identityPool,
    app.identityPoolId,
    {
      IdentityPoolName: `${appId}_identitypool`,
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: app.provider, ClientId: app.clientId }],
      Roles: { authenticated: app.authRole, unauthenticated: app.unauthRole },
      RoleMappings: roleMappings,
    },
    ctx(appId, 'IdentityPool'),
  );
}

async function signIn(app: App, username: string, clientId = app.clientId): Promise<{ IdToken: string; AccessToken: string }> {
  const answer = await idp.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
  );
  return { IdToken: answer.AuthenticationResult!.IdToken!, AccessToken: answer.AuthenticationResult!.AccessToken! };
}

async function adminUser(app: App, username: string, attributes: Record<string, string> = {}): Promise<void> {
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: app.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: app.userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

async function credentialsFor(app: App, idToken: string | undefined, customRoleArn?: string): Promise<Credentials> {
  const logins = idToken === undefined ? undefined : { [app.provider]: idToken };
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: app.identityPoolId, Logins: logins }));
  return (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins, CustomRoleArn: customRoleArn }))).Credentials!;
}

/** The role ARN temporary credentials resolve to, as every service's SigV4 check sees them. */
async function roleOf(credentials: Credentials): Promise<string | undefined> {
  const found = await cloud.lookupCredentials(credentials.AccessKeyId!, credentials.SessionToken);
  return found?.principal.kind === 'role' ? found.principal.roleArn : undefined;
}

const dynamoWith = (c: Credentials): DynamoDBClient =>
  new DynamoDBClient({
    endpoint: `${cloud.url}/dynamodb`,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! },
  });

let appA: App;
let appB: App;
let privilegedRole: string;

before(async () => {
  cloud = await startTestCloud();
  idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', maxAttempts: 1 });
  const admin = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await admin.send(
    new CreateTableCommand({
      TableName: 'Orders',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await admin.send(new PutItemCommand({ TableName: 'Orders', Item: { id: { S: 'secret-order' } } }));
  appA = await deployApp(
    'appa',
    {},
    {
      Schema: [
        { Name: 'tier', AttributeDataType: 'String', Mutable: true },
        { Name: 'plan', AttributeDataType: 'String', Mutable: false },
        { Name: 'score', AttributeDataType: 'Number', Mutable: true, NumberAttributeConstraints: { MinValue: '0', MaxValue: '100' } },
        { Name: 'risk', AttributeDataType: 'String', Mutable: true, DeveloperOnlyAttribute: true },
      ],
    },
  );
  appB = await deployApp('appb');
  // Another app's privileged role: for its Lambda functions only, with every DynamoDB action.
  privilegedRole = await role(
    'appb',
    'appb-backend-lambda',
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
  );
});
after(() => cloud.close());

void describe('the reported exploit: a user names a privileged role in cognito:preferred_role', () => {
  void it("cannot write the reserved claim, cannot sign up with it, and gets only its own app's authenticated role", async () => {
    await adminUser(appA, 'mallory');
    const first = await signIn(appA, 'mallory');
    const write = await callFailure(
      idp.send(
        new UpdateUserAttributesCommand({ AccessToken: first.AccessToken, UserAttributes: [{ Name: 'cognito:preferred_role', Value: privilegedRole }] }),
      ),
    );
    assert.deepEqual([write.name, write.message], ['InvalidParameterException', 'Attribute does not exist in the schema.']);
    for (const name of ['cognito:roles', 'cognito:groups', 'token_use', 'aud', 'client_id', 'custom:undeclared']) {
      assert.equal(
        (await callFailure(idp.send(new UpdateUserAttributesCommand({ AccessToken: first.AccessToken, UserAttributes: [{ Name: name, Value: 'x' }] })))).name,
        'InvalidParameterException',
        name,
      );
    }
    const mixed = await callFailure(
      idp.send(
        new UpdateUserAttributesCommand({
          AccessToken: first.AccessToken,
          UserAttributes: [
            { Name: 'name', Value: 'Mallory' },
            { Name: 'cognito:preferred_role', Value: privilegedRole },
          ],
        }),
      ),
    );
    assert.equal(mixed.name, 'InvalidParameterException');
    assert.equal(
      (await idp.send(new AdminGetUserCommand({ UserPoolId: appA.userPoolId, Username: 'mallory' }))).UserAttributes?.find((a) => a.Name === 'name'),
      undefined,
      'a refused call writes nothing',
    );

    const second = await signIn(appA, 'mallory');
    const claims = claimsOf(second.IdToken);
    assert.equal(claims['cognito:preferred_role'], undefined);
    assert.equal(claims['cognito:roles'], undefined);
    const credentials = await credentialsFor(appA, second.IdToken);
    assert.equal(await roleOf(credentials), appA.authRole);
    const stolen = await callFailure(dynamoWith(credentials).send(new ScanCommand({ TableName: 'Orders' })));
    assert.equal(stolen.name, 'AccessDeniedException');

    const custom = await callFailure(
      identity.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: (await identity.send(new GetIdCommand({ IdentityPoolId: appA.identityPoolId, Logins: { [appA.provider]: second.IdToken } }))).IdentityId,
          Logins: { [appA.provider]: second.IdToken },
          CustomRoleArn: privilegedRole,
        }),
      ),
    );
    assert.equal(custom.name, 'NotAuthorizedException');
  });

  void it('refuses sign-ups that set verification flags or reserved claims, and accepts a plain one', async () => {
    const signUp = (username: string, attributes: Record<string, string>) =>
      idp.send(
        new SignUpCommand({
          ClientId: appA.clientId,
          Username: username,
          Password: PASSWORD,
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
    const verified = await callFailure(signUp('trudy', { email: 'trudy@example.com', email_verified: 'true' }));
    assert.deepEqual([verified.name, verified.message], ['NotAuthorizedException', 'A client attempted to write unauthorized attribute']);
    assert.equal((await callFailure(signUp('trudy', { phone_number_verified: 'true' }))).name, 'NotAuthorizedException');
    const reserved = await callFailure(signUp('trudy', { 'cognito:preferred_role': privilegedRole }));
    assert.deepEqual([reserved.name, reserved.message], ['InvalidParameterException', 'Attribute does not exist in the schema.']);
    assert.equal((await callFailure(signUp('trudy', { sub: 'chosen' }))).name, 'InvalidParameterException');
    assert.equal(
      (await callFailure(idp.send(new AdminGetUserCommand({ UserPoolId: appA.userPoolId, Username: 'trudy' })))).name,
      'UserNotFoundException',
      'nothing was created',
    );
    assert.equal((await signUp('trudy', { email: 'trudy@example.com', 'custom:tier': 'gold' })).UserConfirmed, false);
    await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: appA.userPoolId, Username: 'trudy' }));
    const claims = claimsOf((await signIn(appA, 'trudy')).IdToken);
    assert.equal(claims.email_verified, undefined, 'nobody verified it');
    assert.equal(claims['custom:tier'], 'gold');
  });

  void it('ignores reserved names a user stored before these rules: not in tokens, not in GetUser, no role', async () => {
    await adminUser(appA, 'legacy', { email: 'legacy@example.com' });
    // As a user pool written by an earlier version holds it.
    const stored = await cloud.kernel.sql.get<{ attributes: string }>("SELECT attributes FROM cognito_users WHERE pool_id = ? AND username = 'legacy'", [
      appA.userPoolId,
    ]);
    const legacy = {
      ...(JSON.parse(stored!.attributes) as Record<string, string>),
      'cognito:preferred_role': privilegedRole,
      'cognito:roles': privilegedRole,
      token_use: 'access',
      'cognito:groups': 'admins',
    };
    await cloud.kernel.sql.run("UPDATE cognito_users SET attributes = ? WHERE pool_id = ? AND username = 'legacy'", [JSON.stringify(legacy), appA.userPoolId]);
    const tokens = await signIn(appA, 'legacy');
    const claims = claimsOf(tokens.IdToken);
    assert.deepEqual(
      [claims['cognito:preferred_role'], claims['cognito:roles'], claims['cognito:groups'], claims.token_use],
      [undefined, undefined, undefined, 'id'],
    );
    assert.equal(claims.email, 'legacy@example.com');
    const seen = (await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).UserAttributes!.map((a) => a.Name);
    assert.deepEqual(seen.sort(), ['email', 'sub']);
    await setRoleMappings('appa', appA, {
      web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${appA.provider}:${appA.clientId}` },
    });
    try {
      assert.equal(await roleOf(await credentialsFor(appA, tokens.IdToken)), appA.authRole, 'even under a Token mapping');
    } finally {
      await setRoleMappings('appa', appA, {});
    }
  });
});

void describe("attribute writes: the schema, the client's WriteAttributes, admins", () => {
  void it('lets users write standard and declared custom attributes, but not immutable, developer-only or out-of-range ones', async () => {
    await adminUser(appA, 'uma', { 'custom:plan': 'basic' });
    const { AccessToken } = await signIn(appA, 'uma');
    await idp.send(
      new UpdateUserAttributesCommand({
        AccessToken,
        UserAttributes: [
          { Name: 'nickname', Value: 'u' },
          { Name: 'custom:tier', Value: 'silver' },
          { Name: 'custom:score', Value: '42' },
        ],
      }),
    );
    const write = (Name: string, Value: string) => callFailure(idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name, Value }] })));
    assert.deepEqual(
      [(await write('custom:plan', 'pro')).name, (await write('custom:plan', 'pro')).message],
      ['InvalidParameterException', 'Cannot modify the non-mutable attribute custom:plan'],
    );
    assert.equal((await write('custom:score', '101')).name, 'InvalidParameterException');
    assert.equal((await write('custom:score', 'lots')).name, 'InvalidParameterException');
    assert.equal((await write('dev:custom:risk', 'low')).name, 'NotAuthorizedException');
    assert.equal((await write('email_verified', 'true')).name, 'NotAuthorizedException');
    assert.equal(
      (await callFailure(idp.send(new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ['email_verified'] })))).name,
      'NotAuthorizedException',
    );
    assert.equal(
      (await callFailure(idp.send(new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ['custom:plan'] })))).name,
      'InvalidParameterException',
      'an immutable attribute keeps its value',
    );
    assert.equal(
      (await callFailure(idp.send(new DeleteUserAttributesCommand({ AccessToken, UserAttributeNames: ['cognito:preferred_role'] })))).name,
      'InvalidParameterException',
    );
    const attributes = Object.fromEntries((await idp.send(new GetUserCommand({ AccessToken }))).UserAttributes!.map((a) => [a.Name, a.Value]));
    assert.deepEqual([attributes.nickname, attributes['custom:tier'], attributes['custom:score'], attributes['custom:plan']], ['u', 'silver', '42', 'basic']);
  });

  void it('lets admins set verification flags and developer-only attributes, which users never read', async () => {
    await adminUser(appA, 'vera', { email: 'vera@example.com', email_verified: 'true', 'dev:custom:risk': 'high' });
    await idp.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: appA.userPoolId, Username: 'vera', UserAttributes: [{ Name: 'dev:custom:risk', Value: 'low' }] }),
    );
    const refused = await callFailure(
      idp.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: appA.userPoolId,
          Username: 'vera',
          UserAttributes: [{ Name: 'cognito:preferred_role', Value: privilegedRole }],
        }),
      ),
    );
    assert.deepEqual([refused.name, refused.message], ['InvalidParameterException', 'Attribute does not exist in the schema.']);
    const adminView = Object.fromEntries(
      (await idp.send(new AdminGetUserCommand({ UserPoolId: appA.userPoolId, Username: 'vera' }))).UserAttributes!.map((a) => [a.Name, a.Value]),
    );
    assert.deepEqual([adminView.email_verified, adminView['dev:custom:risk']], ['true', 'low']);
    const tokens = await signIn(appA, 'vera');
    const claims = claimsOf(tokens.IdToken);
    assert.deepEqual([claims.email_verified, claims['dev:custom:risk']], [true, undefined]);
    assert.equal(
      (await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).UserAttributes!.some((a) => a.Name === 'dev:custom:risk'),
      false,
    );
  });

  void it("enforces the client's WriteAttributes (the access token's client) and ReadAttributes (GetUser and the ID token)", async () => {
    const limited = String(
      (
        await create(
          AUTH_RESOURCE_TYPES.userPoolClient,
          {
            UserPoolId: appA.userPoolId,
            ClientName: 'limited',
            ExplicitAuthFlows: PASSWORD_FLOWS,
            WriteAttributes: ['email', 'name'],
            ReadAttributes: ['email', 'custom:tier'],
          },
          ctx('appa', 'LimitedClient'),
        )
      ).attributes.ClientId,
    );
    await adminUser(appA, 'walt', { email: 'walt@example.com', nickname: 'w', 'custom:tier': 'bronze' });
    const viaLimited = await signIn(appA, 'walt', limited);
    await idp.send(new UpdateUserAttributesCommand({ AccessToken: viaLimited.AccessToken, UserAttributes: [{ Name: 'name', Value: 'Walt' }] }));
    const refused = await callFailure(
      idp.send(new UpdateUserAttributesCommand({ AccessToken: viaLimited.AccessToken, UserAttributes: [{ Name: 'nickname', Value: 'x' }] })),
    );
    assert.deepEqual([refused.name, refused.message], ['NotAuthorizedException', 'A client attempted to write unauthorized attribute']);
    const signUp = await callFailure(
      idp.send(new SignUpCommand({ ClientId: limited, Username: 'xavier', Password: PASSWORD, UserAttributes: [{ Name: 'custom:tier', Value: 'gold' }] })),
    );
    assert.equal(signUp.name, 'NotAuthorizedException');
    const read = (await idp.send(new GetUserCommand({ AccessToken: viaLimited.AccessToken }))).UserAttributes!.map((a) => a.Name).sort();
    assert.deepEqual(read, ['custom:tier', 'email', 'sub']);
    const limitedClaims = claimsOf(viaLimited.IdToken);
    assert.deepEqual(
      [limitedClaims.email, limitedClaims['custom:tier'], limitedClaims.nickname, limitedClaims.name],
      ['walt@example.com', 'bronze', undefined, undefined],
    );
    // The app's own client has no lists: it reads and writes every attribute (Cognito's default).
    const viaDefault = await signIn(appA, 'walt');
    await idp.send(new UpdateUserAttributesCommand({ AccessToken: viaDefault.AccessToken, UserAttributes: [{ Name: 'nickname', Value: 'x' }] }));
    assert.deepEqual([claimsOf(viaDefault.IdToken).name, claimsOf(viaDefault.IdToken).nickname], ['Walt', 'w']);
  });
});

void describe('identity pool roles: mappings, CustomRoleArn, trust', () => {
  void it('honours group roles only under a Token mapping, and only roles that trust this pool', async () => {
    const groupRole = await role(
      'appa',
      'appa-editorsGroupRole',
      identityPoolTrust({ identityPoolId: appA.identityPoolId, amr: 'authenticated' }),
      statements('dynamodb:Scan'),
    );
    const foreignRole = await role('appb', 'appb-adminsGroupRole', identityPoolTrust({ identityPoolId: appB.identityPoolId, amr: 'authenticated' }), [
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
    ]);
    await idp.send(new CreateGroupCommand({ UserPoolId: appA.userPoolId, GroupName: 'editors', Precedence: 2, RoleArn: groupRole }));
    await idp.send(new CreateGroupCommand({ UserPoolId: appA.userPoolId, GroupName: 'stolen', Precedence: 1, RoleArn: foreignRole }));
    await idp.send(new CreateGroupCommand({ UserPoolId: appA.userPoolId, GroupName: 'lambdas', Precedence: 0, RoleArn: privilegedRole }));
    await adminUser(appA, 'erin');
    await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: appA.userPoolId, Username: 'erin', GroupName: 'editors' }));
    const erin = (await signIn(appA, 'erin')).IdToken;
    assert.deepEqual([claimsOf(erin)['cognito:groups'], claimsOf(erin)['cognito:preferred_role']], [['editors'], groupRole]);

    assert.equal(await roleOf(await credentialsFor(appA, erin)), appA.authRole, 'no mapping: the authenticated role');
    await setRoleMappings('appa', appA, {
      web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${appA.provider}:${appA.clientId}` },
    });
    try {
      const editor = await credentialsFor(appA, erin);
      assert.equal(await roleOf(editor), groupRole);
      assert.deepEqual((await dynamoWith(editor).send(new ScanCommand({ TableName: 'Orders' }))).Items, [{ id: { S: 'secret-order' } }]);
      const outside = await callFailure(credentialsFor(appA, erin, privilegedRole));
      assert.equal(outside.name, 'NotAuthorizedException', "CustomRoleArn outside the token's roles");

      // A group (set up by an admin) whose role belongs to another app's identity pool, or trusts only Lambda.
      await adminUser(appA, 'gus');
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: appA.userPoolId, Username: 'gus', GroupName: 'stolen' }));
      const foreign = await callFailure(credentialsFor(appA, (await signIn(appA, 'gus')).IdToken));
      assert.equal(foreign.name, 'InvalidIdentityPoolConfigurationException');
      assert.match(foreign.message, /appb-adminsGroupRole/);
      await adminUser(appA, 'lena');
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: appA.userPoolId, Username: 'lena', GroupName: 'lambdas' }));
      const lambda = await callFailure(credentialsFor(appA, (await signIn(appA, 'lena')).IdToken));
      assert.equal(lambda.name, 'InvalidIdentityPoolConfigurationException');
      assert.match(lambda.message, /appb-backend-lambda/);

      // Users without a group role fall back to the authenticated role, or are refused with Deny.
      await adminUser(appA, 'nina');
      const nina = (await signIn(appA, 'nina')).IdToken;
      assert.equal(await roleOf(await credentialsFor(appA, nina)), appA.authRole);
      await setRoleMappings('appa', appA, { web: { Type: 'Token', AmbiguousRoleResolution: 'Deny', IdentityProvider: `${appA.provider}:${appA.clientId}` } });
      assert.equal((await callFailure(credentialsFor(appA, nina))).name, 'NotAuthorizedException');
      assert.equal(await roleOf(await credentialsFor(appA, erin)), groupRole);
    } finally {
      await setRoleMappings('appa', appA, {});
    }
  });

  void it('gives the role of the first matching rule under a Rules mapping, and refuses when none matches with Deny', async () => {
    const goldRole = await role(
      'appa',
      'appa-goldRole',
      identityPoolTrust({ identityPoolId: appA.identityPoolId, amr: 'authenticated' }),
      statements('dynamodb:Scan'),
    );
    await setRoleMappings('appa', appA, {
      web: {
        Type: 'Rules',
        AmbiguousRoleResolution: 'Deny',
        IdentityProvider: `${appA.provider}:${appA.clientId}`,
        RulesConfiguration: {
          Rules: [
            { Claim: 'custom:tier', MatchType: 'Equals', Value: 'gold', RoleARN: goldRole },
            { Claim: 'custom:tier', MatchType: 'StartsWith', Value: 'sil', RoleARN: appA.authRole },
          ],
        },
      },
    });
    try {
      await adminUser(appA, 'goldie', { 'custom:tier': 'gold' });
      await adminUser(appA, 'silvia', { 'custom:tier': 'silver' });
      await adminUser(appA, 'norm');
      assert.equal(await roleOf(await credentialsFor(appA, (await signIn(appA, 'goldie')).IdToken)), goldRole);
      assert.equal(await roleOf(await credentialsFor(appA, (await signIn(appA, 'silvia')).IdToken)), appA.authRole);
      assert.equal((await callFailure(credentialsFor(appA, (await signIn(appA, 'norm')).IdToken))).name, 'NotAuthorizedException');
      // Users cannot promote themselves: the claim the rule reads is theirs to write only if the schema lets them.
      const silvia = await signIn(appA, 'silvia');
      await idp.send(new UpdateUserAttributesCommand({ AccessToken: silvia.AccessToken, UserAttributes: [{ Name: 'custom:tier', Value: 'gold' }] }));
      assert.equal(
        await roleOf(await credentialsFor(appA, (await signIn(appA, 'silvia')).IdToken)),
        goldRole,
        "a mutable custom attribute is the app's choice to map on",
      );
    } finally {
      await setRoleMappings('appa', appA, {});
    }
  });

  void it("refuses a role of another app's identity pool, named as this pool's role", async () => {
    // App B's deployment names app A's roles (any app can learn them: they are ARNs, not secrets).
    await setRoleMappings('appb', { ...appB, authRole: appA.authRole, unauthRole: appA.unauthRole }, {});
    try {
      await adminUser(appB, 'bob');
      const refused = await callFailure(credentialsFor(appB, (await signIn(appB, 'bob')).IdToken));
      assert.equal(refused.name, 'InvalidIdentityPoolConfigurationException');
      assert.match(refused.message, /appa-authRole/);
      const guest = await callFailure(credentialsFor(appB, undefined));
      assert.equal(guest.name, 'InvalidIdentityPoolConfigurationException');
      assert.match(guest.message, /appa-unauthRole/);
    } finally {
      await setRoleMappings('appb', appB, {});
    }
    await adminUser(appB, 'bea');
    assert.equal(await roleOf(await credentialsFor(appB, (await signIn(appB, 'bea')).IdToken)), appB.authRole);
  });

  void it('gives guests the unauthenticated role only', async () => {
    const guest = await credentialsFor(appA, undefined);
    assert.equal(await roleOf(guest), appA.unauthRole);
    assert.equal((await callFailure(dynamoWith(guest).send(new ScanCommand({ TableName: 'Orders' })))).name, 'AccessDeniedException');
    assert.equal((await callFailure(credentialsFor(appA, undefined, appA.authRole))).name, 'NotAuthorizedException');
    // Even a pool misconfigured to give guests the authenticated role cannot: that role trusts signed-in users only.
    await update(
      AUTH_RESOURCE_TYPES.identityPool,
      appA.identityPoolId,
      {
        IdentityPoolName: 'appa_identitypool',
        AllowUnauthenticatedIdentities: true,
        CognitoIdentityProviders: [{ ProviderName: appA.provider, ClientId: appA.clientId }],
        Roles: { authenticated: appA.authRole, unauthenticated: appA.authRole },
      },
      ctx('appa', 'IdentityPool'),
    );
    try {
      assert.equal((await callFailure(credentialsFor(appA, undefined))).name, 'InvalidIdentityPoolConfigurationException');
    } finally {
      await setRoleMappings('appa', appA, {});
    }
  });
});

void describe('sign-in flows', () => {
  void it('refuses USER_PASSWORD_AUTH unless the client allows it', async () => {
    const srpOnly = String(
      (await create(AUTH_RESOURCE_TYPES.userPoolClient, { UserPoolId: appA.userPoolId, ClientName: 'srp' }, ctx('appa', 'SrpClient'))).attributes.ClientId,
    );
    const legacy = String(
      (
        await create(
          AUTH_RESOURCE_TYPES.userPoolClient,
          { UserPoolId: appA.userPoolId, ClientName: 'legacy', ExplicitAuthFlows: ['USER_PASSWORD_AUTH'] },
          ctx('appa', 'LegacyClient'),
        )
      ).attributes.ClientId,
    );
    await adminUser(appA, 'paul');
    const refused = await callFailure(signIn(appA, 'paul', srpOnly));
    assert.deepEqual([refused.name, refused.message], ['InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client']);
    assert.equal(
      (await callFailure(signIn(appA, 'nobody-at-all', srpOnly))).message,
      'USER_PASSWORD_AUTH flow not enabled for this client',
      'the same answer for unknown users',
    );
    assert.ok((await signIn(appA, 'paul', legacy)).IdToken);
    assert.ok((await signIn(appA, 'paul')).IdToken);
  });
});
