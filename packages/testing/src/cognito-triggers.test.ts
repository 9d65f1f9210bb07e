import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { USER_TOKENS } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES, type UserPoolLambdaConfig } from '@forte/protocol';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  resetPassword,
  signIn,
  signOut,
  signUp,
  updateUserAttributes,
} from 'aws-amplify/auth';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { deployFunction, deployRole, lambdaClient, resourceContext, startLambdaCloud, type TestCloud } from './index.js';
import { mailboxMessages } from './user-pool-codes.js';

/** The trigger modules `forte add auth` writes (the auth category's files, read as the CLI copies them). */
const triggerModule = (name: string): string => readFileSync(fileURLToPath(new URL(`../../category-auth/triggers/${name}.js`, import.meta.url)), 'utf8');

let cloud: TestCloud;
let cognito: CognitoIdentityProviderClient;
let userPoolId = '';
let clientId = '';
const PASSWORD = 'Passw0rd!';
const POOL = {
  PoolName: 'triggers',
  UsernameAttributes: ['email'],
  AutoVerifiedAttributes: ['email'],
  UsernameCaseSensitive: false,
};
const functions: Record<string, string> = {};

/** Points the pool's triggers at these functions (an update of the deployed pool, as a push makes it). */
async function setTriggers(config: UserPoolLambdaConfig): Promise<void> {
  const handler = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!;
  await handler.update!(userPoolId, { ...POOL, LambdaConfig: config }, { ...POOL }, resourceContext(cloud, 'UserPool'));
}

async function latestCode(to: string): Promise<string> {
  const code = (await mailboxMessages(cloud, to, 1))[0]?.code;
  assert.ok(code, `a code was mailed to ${to}`);
  return code;
}

const rejectsWith = (name: string, message?: string | RegExp) => (error: Error) => {
  assert.equal(error.name, name, error.message);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
  return true;
};

const inline = (body: string): Record<string, string> => ({ 'index.js': `exports.handler = async (event) => {\n${body}\n};` });

before(async () => {
  // Cognito's longest wait, so that a function's first (cold) start on a loaded machine is never taken for a
  // trigger too slow; a trigger slower than Cognito waits is shown on a cloud of its own that waits briefly.
  cloud = await startLambdaCloud({ cognitoLimits: { triggers: { timeoutSeconds: 30 } } });
  const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create(POOL, resourceContext(cloud, 'UserPool'));
  userPoolId = pool.physicalId;
  const client = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!.create(
    {
      UserPoolId: userPoolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    },
    resourceContext(cloud, 'UserPoolClientWeb'),
  );
  clientId = client.physicalId;
  Amplify.configure({
    Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: `${cloud.url}/cognito-idp/`, loginWith: { email: true } } },
  });
  // A connection of its own for each call: the SDK keeps idle connections with no time limit, and one idle for
  // the cloud's 5 s keep-alive (a test in between runs on another cloud) could be reused just as the cloud
  // closes it, failing the call with ECONNRESET.
  cognito = new CognitoIdentityProviderClient({
    endpoint: `${cloud.url}/cognito-idp/`,
    region: 'us-east-1',
    credentials: cloud.credentials,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });

  const multiplexed = (modules: string[], extra: Record<string, string> = {}): Record<string, string> => ({
    'index.js': triggerModule('trigger-index'),
    ...Object.fromEntries(modules.map((m) => [`${m}.js`, triggerModule(m)])),
    ...extra,
  });
  const groupRole = await deployRole(cloud, 'add-to-group', [
    // Amplify's AddToGroupCognito policy: the pool's ARN only.
    {
      Effect: 'Allow',
      Action: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:GetGroup', 'cognito-idp:CreateGroup'],
      Resource: `arn:aws:cognito-idp:us-east-1:${cloud.kernel.config.accountId}:userpool/${userPoolId}`,
    },
  ]);
  const deployments: Array<Parameters<typeof deployFunction>[1]> = [
    {
      name: 'presignup',
      files: multiplexed(['email-filter-denylist'], {
        'custom.js': `exports.handler = async (event) => { if (event.request.userAttributes.email.startsWith('auto')) { event.response.autoConfirmUser = true; event.response.autoVerifyEmail = true; } return event; };`,
      }),
      variables: { MODULES: 'email-filter-denylist,custom', DOMAINDENYLIST: 'blocked.example, spam.example' },
    },
    { name: 'postconfirmation', files: multiplexed(['add-to-group']), variables: { MODULES: 'add-to-group', GROUP: 'members' }, role: groupRole },
    {
      name: 'pretoken',
      files: inline(`
        event.response = { claimsOverrideDetails: {
          claimsToAddOrOverride: { plan: 'gold', email: 'hidden@example.com', sub: 'not-mine' },
          claimsToSuppress: ['email_verified'],
          groupOverrideDetails: { groupsToOverride: ['vip', ...event.request.groupConfiguration.groupsToOverride] } } };
        return event;`),
    },
    {
      name: 'pretokenv2',
      files: inline(`
        event.response.claimsAndScopeOverrideDetails = {
          idTokenGeneration: { claimsToAddOrOverride: { tier: { level: 2 } } },
          accessTokenGeneration: { claimsToAddOrOverride: { tenant: 't1' }, scopesToAdd: ['orders/read'] } };
        return event;`),
    },
    { name: 'altercliams', files: multiplexed(['alter-claims']), variables: { MODULES: 'alter-claims' } },
    {
      name: 'custommessage',
      files: inline(`
        if (event.triggerSource === 'CustomMessage_AdminCreateUser') {
          event.response.emailSubject = 'You are invited';
          event.response.emailMessage = 'Sign in as ' + event.request.usernameParameter + ' with ' + event.request.codeParameter;
        } else if (event.triggerSource === 'CustomMessage_UpdateUserAttribute') {
          event.response.emailMessage = 'Confirm your new address: ' + event.request.codeParameter;
        } else if (event.triggerSource === 'CustomMessage_SignUp' || event.triggerSource === 'CustomMessage_ForgotPassword') {
          event.response.emailSubject = 'Welcome ' + event.request.userAttributes.email;
          event.response.emailMessage = event.triggerSource + ': your code is ' + event.request.codeParameter;
        }
        return event;`),
    },
    {
      name: 'preauth',
      files: inline(`if (event.request.userAttributes.email.includes('closed')) throw new Error('Sign-in is closed for ' + event.userName); return event;`),
    },
    { name: 'postauth', files: inline(`if (event.request.userAttributes.email.includes('late')) throw new Error('audit store unavailable'); return event;`) },
    {
      name: 'define',
      files: inline(`
        const s = event.request.session;
        const last = s[s.length - 1];
        if (s.length === 0) Object.assign(event.response, { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false });
        else if (last.challengeResult === true) Object.assign(event.response, { issueTokens: true, failAuthentication: false });
        else if (s.length >= 2) Object.assign(event.response, { issueTokens: false, failAuthentication: true });
        else Object.assign(event.response, { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false });
        return event;`),
    },
    {
      name: 'create',
      files: inline(`
        event.response.publicChallengeParameters = { question: 'favourite colour?', round: String(event.request.session.length) };
        event.response.privateChallengeParameters = { answer: 'blue' };
        event.response.challengeMetadata = 'COLOUR';
        return event;`),
    },
    {
      name: 'verify',
      files: inline(`event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer; return event;`),
    },
    { name: 'srpdefine', files: multiplexed(['boilerplate-define-challenge']), variables: { MODULES: 'boilerplate-define-challenge' } },
    {
      name: 'srpcreate',
      files: multiplexed(['boilerplate-create-challenge']),
      variables: { MODULES: 'boilerplate-create-challenge', CHALLENGEANSWER: 'open sesame' },
    },
    { name: 'srpverify', files: multiplexed(['boilerplate-verify']), variables: { MODULES: 'boilerplate-verify' } },
    {
      name: 'migrate',
      files: inline(`
        if (event.triggerSource === 'UserMigration_Authentication' && event.userName === 'legacy@example.com' && event.request.password === 'Legacy0ld!')
          event.response = { userAttributes: { email: event.userName, email_verified: 'true' }, finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' };
        else if (event.triggerSource === 'UserMigration_ForgotPassword' && event.userName === 'old@example.com')
          event.response = { userAttributes: { email: event.userName, email_verified: 'true' }, messageAction: 'SUPPRESS' };
        else throw new Error('Bad password');
        return event;`),
    },
    {
      name: 'otherpool',
      role: groupRole,
      files: {
        'index.js': `const { CognitoIdentityProviderClient, GetGroupCommand } = require('@aws-sdk/client-cognito-identity-provider');
exports.handler = async (event) => {
  try { await new CognitoIdentityProviderClient({}).send(new GetGroupCommand({ GroupName: 'members', UserPoolId: event.pool })); return 'allowed'; }
  catch (error) { return error.name; }
};`,
      },
    },
    { name: 'garbage', files: { 'index.js': `exports.handler = async () => 'not the event';` } },
    { name: 'lambdatimeout', files: inline(`await new Promise((resolve) => setTimeout(resolve, 3000)); return event;`), properties: { Timeout: 1 } },
  ];
  for (const deployment of deployments) functions[deployment.name] = await deployFunction(cloud, deployment);
});
after(async () => {
  cognito?.destroy();
  await cloud?.close();
});

void describe('user pool triggers through aws-amplify v6', () => {
  void it('PreSignUp: the deny list refuses (no user is created); autoConfirmUser and autoVerifyEmail confirm without a code', async () => {
    await setTriggers({ PreSignUp: functions.presignup! });
    await assert.rejects(
      signUp({ username: 'eve@blocked.example', password: PASSWORD, options: { userAttributes: { email: 'eve@blocked.example' } } }),
      rejectsWith('UserLambdaValidationException', 'PreSignUp failed with error Invalid email domain: blocked.example.'),
    );
    const users = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: 'email = "eve@blocked.example"' }));
    assert.equal(users.Users?.length, 0, 'a refused sign-up leaves no user');
    assert.equal((await mailboxMessages(cloud, 'eve@blocked.example')).length, 0);

    const auto = await signUp({ username: 'auto@example.com', password: PASSWORD, options: { userAttributes: { email: 'auto@example.com' } } });
    assert.equal(auto.isSignUpComplete, true);
    assert.equal((await mailboxMessages(cloud, 'auto@example.com')).length, 0, 'no code for an auto-confirmed user');
    const stored = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'auto@example.com' }));
    assert.equal(stored.UserStatus, 'CONFIRMED');
    assert.equal(stored.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value, 'true');
    assert.equal((await signIn({ username: 'auto@example.com', password: PASSWORD })).isSignedIn, true);
    await signOut();

    const plain = await signUp({ username: 'frank@example.com', password: PASSWORD, options: { userAttributes: { email: 'frank@example.com' } } });
    assert.equal(plain.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  });

  void it('CustomMessage writes the mailed message; PostConfirmation (add-to-group) puts the user in its group', async () => {
    await setTriggers({ CustomMessage: functions.custommessage!, PostConfirmation: functions.postconfirmation! });
    const email = 'grace@example.com';
    await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    const [message] = await mailboxMessages(cloud, email, 1);
    const code = message!.code!;
    assert.equal(message!.subject, `Welcome ${email}`);
    assert.equal(message!.body, `CustomMessage_SignUp: your code is ${code}`);
    assert.equal((await confirmSignUp({ username: email, confirmationCode: code })).isSignUpComplete, true);
    const groups = await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: email }));
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ['members'],
    );
    await signIn({ username: email, password: PASSWORD });
    assert.deepEqual((await fetchAuthSession()).tokens?.idToken?.payload['cognito:groups'], ['members']);
    await signOut();
  });

  void it('CustomMessage also writes the invitation of AdminCreateUser and the code of a changed email (UpdateUserAttributes)', async () => {
    await setTriggers({ CustomMessage: functions.custommessage! });
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'invited@example.com', TemporaryPassword: 'Temp0rary!' }));
    const [invite] = await mailboxMessages(cloud, 'invited@example.com', 1);
    assert.equal(invite!.subject, 'You are invited');
    assert.equal(invite!.body, 'Sign in as invited@example.com with Temp0rary!');
    await signIn({ username: 'auto@example.com', password: PASSWORD });
    await updateUserAttributes({ userAttributes: { email: 'auto2@example.com' } });
    const [changed] = await mailboxMessages(cloud, 'auto2@example.com', 1);
    assert.equal(changed!.body, `Confirm your new address: ${changed!.code}`);
    await signOut();
  });

  void it("a trigger's role policy on its pool allows the admin calls on that pool only", async () => {
    const ask = async (pool: string): Promise<unknown> => {
      const out = await lambdaClient(cloud).send(new InvokeCommand({ FunctionName: 'otherpool', Payload: Buffer.from(JSON.stringify({ pool })) }));
      return JSON.parse(Buffer.from(out.Payload!).toString());
    };
    assert.equal(await ask(userPoolId), 'allowed');
    assert.equal(await ask('us-east-1_another1'), 'AccessDeniedException');
  });

  void it('PreTokenGeneration v1 adds and suppresses ID token claims and overrides groups; protected claims stay', async () => {
    await setTriggers({ PreTokenGeneration: functions.pretoken! });
    await signIn({ username: 'grace@example.com', password: PASSWORD });
    const { tokens, userSub } = await fetchAuthSession();
    const id = tokens!.idToken!.payload;
    assert.equal(id.plan, 'gold');
    assert.equal(id.email, 'hidden@example.com');
    assert.equal(id.email_verified, undefined);
    assert.equal(id.sub, userSub, 'sub cannot be overridden');
    assert.deepEqual(id['cognito:groups'], ['vip', 'members']);
    assert.deepEqual(tokens!.accessToken.payload['cognito:groups'], ['vip', 'members']);
    assert.equal(tokens!.accessToken.payload.plan, undefined, 'V1 changes the ID token only');
    // A refresh runs the trigger again.
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.equal(refreshed.tokens!.idToken!.payload.plan, 'gold');
    await signOut();
    // The console's "as user" tokens, issued without the password, run the same trigger (the email is her sign-in name).
    const [issuer] = cloud.kernel.capability(USER_TOKENS);
    const issued = await issuer!.issue({ userPoolId, username: 'grace@example.com' });
    const claimsOf = (token: string): Record<string, unknown> =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.equal(claimsOf(issued.idToken).plan, 'gold');
    assert.equal(claimsOf(issued.idToken).sub, userSub);
    assert.deepEqual(claimsOf(issued.idToken)['cognito:groups'], ['vip', 'members']);
    assert.deepEqual(claimsOf(issued.accessToken)['cognito:groups'], ['vip', 'members']);

    await setTriggers({ PreTokenGenerationConfig: { LambdaArn: functions.pretokenv2!, LambdaVersion: 'V2_0' } });
    await signIn({ username: 'grace@example.com', password: PASSWORD });
    const v2 = (await fetchAuthSession()).tokens!;
    assert.deepEqual(v2.idToken!.payload.tier, { level: 2 });
    assert.equal(v2.accessToken.payload.tenant, 't1');
    assert.equal(v2.accessToken.payload.scope, 'aws.cognito.signin.user.admin orders/read');
    await signOut();

    await setTriggers({ PreTokenGeneration: functions.altercliams! });
    await signIn({ username: 'grace@example.com', password: PASSWORD });
    const altered = (await fetchAuthSession()).tokens!.idToken!.payload;
    assert.equal(altered.attribute_key1, 'attribute_value1');
    assert.equal(altered.attribute_key2, 'attribute_value2');
    await signOut();
  });

  void it('PreAuthentication refuses before the password is checked; a failing PostAuthentication issues no tokens', async () => {
    await setTriggers({ PreSignUp: functions.presignup!, PreAuthentication: functions.preauth!, PostAuthentication: functions.postauth! });
    for (const email of ['autoclosed@example.com', 'autolate@example.com'])
      await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    await setTriggers({ PreAuthentication: functions.preauth!, PostAuthentication: functions.postauth! });
    await assert.rejects(
      signIn({ username: 'autoclosed@example.com', password: PASSWORD }),
      rejectsWith('UserLambdaValidationException', /^PreAuthentication failed with error Sign-in is closed for [0-9a-f-]{36}\.$/),
    );
    await assert.rejects(
      signIn({ username: 'autolate@example.com', password: PASSWORD }),
      rejectsWith('UserLambdaValidationException', 'PostAuthentication failed with error audit store unavailable.'),
    );
    assert.equal((await fetchAuthSession()).tokens, undefined);
    assert.equal((await signIn({ username: 'grace@example.com', password: PASSWORD })).isSignedIn, true);
    await signOut();
  });

  void it('CUSTOM_WITHOUT_SRP: Define, Create and Verify drive signIn and confirmSignIn; wrong answers end in NotAuthorizedException', async () => {
    await setTriggers({ DefineAuthChallenge: functions.define!, CreateAuthChallenge: functions.create!, VerifyAuthChallengeResponse: functions.verify! });
    const first = await signIn({ username: 'grace@example.com', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    const info = (first.nextStep as { additionalInfo?: Record<string, string> }).additionalInfo;
    assert.equal(info?.question, 'favourite colour?', 'the public challenge parameters reach the app');
    assert.equal(info?.round, '0');
    const wrong = await confirmSignIn({ challengeResponse: 'red' });
    assert.equal(wrong.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'a second chance');
    assert.equal((wrong.nextStep as { additionalInfo?: Record<string, string> }).additionalInfo?.round, '1');
    const done = await confirmSignIn({ challengeResponse: 'blue' });
    assert.equal(done.isSignedIn, true);
    assert.equal((await fetchAuthSession()).tokens?.idToken?.payload.email, 'grace@example.com');
    await signOut();

    await signIn({ username: 'grace@example.com', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    await confirmSignIn({ challengeResponse: 'red' });
    await assert.rejects(confirmSignIn({ challengeResponse: 'green' }), rejectsWith('NotAuthorizedException', 'Incorrect username or password.'));
    // A name that matches nobody goes through the challenges (every answer wrong) and never gets tokens.
    await signIn({ username: 'nobody@example.com', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
    assert.equal((await confirmSignIn({ challengeResponse: 'blue' })).nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    await assert.rejects(confirmSignIn({ challengeResponse: 'blue' }), rejectsWith('NotAuthorizedException', 'Incorrect username or password.'));
  });

  void it('CUSTOM_AUTH tells an unknown name apart only for a LEGACY client', async () => {
    await setTriggers({ DefineAuthChallenge: functions.define!, CreateAuthChallenge: functions.create!, VerifyAuthChallengeResponse: functions.verify! });
    const legacy = await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create({ UserPoolId: userPoolId, ClientName: 'legacy', PreventUserExistenceErrors: 'LEGACY' }, resourceContext(cloud, 'LegacyClient'));
    const start = (ClientId: string, USERNAME: string) =>
      cognito.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME } }));
    await assert.rejects(start(legacy.physicalId, 'nobody@example.com'), rejectsWith('UserNotFoundException'));
    assert.equal((await start(legacy.physicalId, 'grace@example.com')).ChallengeName, 'CUSTOM_CHALLENGE');
    assert.equal((await start(clientId, 'nobody@example.com')).ChallengeName, 'CUSTOM_CHALLENGE');
  });

  void it("CUSTOM_WITH_SRP with the auth category's boilerplate modules: password, then the custom challenge", async () => {
    await setTriggers({
      DefineAuthChallenge: functions.srpdefine!,
      CreateAuthChallenge: functions.srpcreate!,
      VerifyAuthChallengeResponse: functions.srpverify!,
    });
    const step = await signIn({ username: 'grace@example.com', password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
    assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    assert.equal((await confirmSignIn({ challengeResponse: 'open sesame' })).isSignedIn, true);
    await signOut();
    await assert.rejects(
      signIn({ username: 'grace@example.com', password: 'Wrong0000!', options: { authFlowType: 'CUSTOM_WITH_SRP' } }),
      rejectsWith('NotAuthorizedException'),
    );
  });

  void it('UserMigration brings a user in at a USER_PASSWORD_AUTH sign-in and at resetPassword; a refusal stays an unknown user', async () => {
    await setTriggers({ UserMigration: functions.migrate! });
    await assert.rejects(
      signIn({ username: 'legacy@example.com', password: 'Wrong0ld!', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
      rejectsWith('NotAuthorizedException', 'Incorrect username or password.'),
    );
    const migrated = await signIn({ username: 'legacy@example.com', password: 'Legacy0ld!', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    assert.equal(migrated.isSignedIn, true);
    await signOut();
    // Now a user of the pool: the SRP sign-in works with the migrated password.
    assert.equal((await signIn({ username: 'legacy@example.com', password: 'Legacy0ld!' })).isSignedIn, true);
    await signOut();

    const reset = await resetPassword({ username: 'old@example.com' });
    assert.equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
    await confirmResetPassword({ username: 'old@example.com', newPassword: 'N3wPassword!', confirmationCode: await latestCode('old@example.com') });
    assert.equal((await signIn({ username: 'old@example.com', password: 'N3wPassword!' })).isSignedIn, true);
    await signOut();
  });

  void it('UpdateUserPool sets LambdaConfig (what DescribeUserPool shows), resetting what the request leaves out, as Cognito', async () => {
    await setTriggers({});
    const before = (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool!;
    assert.deepEqual(before.LambdaConfig, {});
    await cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: userPoolId,
        AutoVerifiedAttributes: before.AutoVerifiedAttributes,
        LambdaConfig: { PreSignUp: functions.presignup! },
      }),
    );
    const after = (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool!;
    assert.deepEqual(after.LambdaConfig, { PreSignUp: functions.presignup });
    assert.deepEqual(after.UsernameAttributes, ['email'], 'what UpdateUserPool cannot change stays');
    await assert.rejects(
      signUp({ username: 'ivy@spam.example', password: PASSWORD, options: { userAttributes: { email: 'ivy@spam.example' } } }),
      rejectsWith('UserLambdaValidationException', 'PreSignUp failed with error Invalid email domain: spam.example.'),
    );
    await assert.rejects(
      cognito.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, LambdaConfig: { CustomSMSSender: { LambdaArn: 'x', LambdaVersion: 'V1_0' } } })),
      rejectsWith('InvalidParameterException', /LambdaConfig/),
    );
    await cognito.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, AutoVerifiedAttributes: ['email'] }));
    assert.deepEqual((await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool!.LambdaConfig, {}, 'left out: no triggers');
  });

  void it('a trigger slower than Cognito waits is refused with TimeoutException; nothing is created', async () => {
    // This cloud's Cognito waits one second for a function that never answers.
    await using impatient = await startLambdaCloud({ cognitoLimits: { triggers: { timeoutSeconds: 1 } } });
    const slow = await deployFunction(impatient, { name: 'slow', files: inline('await new Promise(() => undefined);') });
    const pool = await impatient.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPool)!
      .create({ ...POOL, LambdaConfig: { PreSignUp: slow } }, resourceContext(impatient, 'UserPool'));
    const client = await impatient.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create({ UserPoolId: pool.physicalId, ClientName: 'web' }, resourceContext(impatient, 'UserPoolClientWeb'));
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${impatient.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: impatient.credentials,
      maxAttempts: 1,
    });
    try {
      await assert.rejects(
        idp.send(
          new SignUpCommand({
            ClientId: client.physicalId,
            Username: 'slow@example.com',
            Password: PASSWORD,
            UserAttributes: [{ Name: 'email', Value: 'slow@example.com' }],
          }),
        ),
        rejectsWith('UnexpectedLambdaException', 'PreSignUp invocation failed due to error TimeoutException.'),
      );
      const users = await idp.send(new ListUsersCommand({ UserPoolId: pool.physicalId }));
      assert.equal(users.Users?.length, 0);
    } finally {
      idp.destroy();
    }
  });

  void it("a Lambda that times out, and one answering something else, are Cognito's errors; nothing is created", async () => {
    await setTriggers({ PreSignUp: functions.lambdatimeout! });
    await assert.rejects(
      signUp({ username: 'slow@example.com', password: PASSWORD, options: { userAttributes: { email: 'slow@example.com' } } }),
      rejectsWith('UserLambdaValidationException', /^PreSignUp failed with error .*Task timed out after 1\.00 seconds\.$/),
    );
    await setTriggers({ PreSignUp: functions.garbage! });
    await assert.rejects(
      signUp({ username: 'slow@example.com', password: PASSWORD, options: { userAttributes: { email: 'slow@example.com' } } }),
      rejectsWith('InvalidLambdaResponseException', 'Unrecognizable lambda output'),
    );
    const users = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: 'email = "slow@example.com"' }));
    assert.equal(users.Users?.length, 0);

    // A CustomMessage that fails fails the sign-up and keeps no user.
    await setTriggers({ CustomMessage: functions.garbage! });
    await assert.rejects(
      signUp({ username: 'msg@example.com', password: PASSWORD, options: { userAttributes: { email: 'msg@example.com' } } }),
      rejectsWith('InvalidLambdaResponseException'),
    );
    assert.equal((await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: 'email = "msg@example.com"' }))).Users?.length, 0);
    await setTriggers({});
    await signUp({ username: 'msg@example.com', password: PASSWORD, options: { userAttributes: { email: 'msg@example.com' } } });
  });
});
