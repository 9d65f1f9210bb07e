import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError, templateSchema } from '@forte/protocol';
import { decodeBackendSnapshot, encodeBackendSnapshot, snapshotKey } from './backend-snapshot.js';
import { buildRootTemplate, rootNames } from './root-template.js';

void describe('buildRootTemplate', () => {
  const names = rootNames('amplify-MyApp-dev-12345');
  const template = buildRootTemplate({
    names,
    appId: 'app1',
    envName: 'dev',
    resources: [
      { category: 'api', resourceName: 'myapi', template: { Resources: {} } },
      {
        category: 'function',
        resourceName: 'fn',
        template: { Resources: {} },
        parameters: { x: 1 },
        dependsOn: [{ category: 'api', resourceName: 'myapi', attributes: ['GraphQLAPIIdOutput'] }],
      },
    ],
  });

  void it('holds the bucket, the two roles and one Forte::Stack per resource', () => {
    assert.ok(templateSchema.safeParse(template).success);
    assert.deepEqual(Object.keys(template.Resources), ['DeploymentBucket', 'AuthRole', 'UnauthRole', 'apimyapi', 'functionfn']);
    assert.equal(template.Resources['DeploymentBucket']?.Properties?.['BucketName'], 'amplify-myapp-dev-12345-deployment');
    assert.equal(template.Resources['AuthRole']?.Properties?.['RoleName'], 'amplify-MyApp-dev-12345-authRole');
    assert.equal(template.Resources['UnauthRole']?.Properties?.['RoleName'], 'amplify-MyApp-dev-12345-unauthRole');
  });

  void it('wires env, AppId and dependsOn attributes as nested parameters', () => {
    const fn = template.Resources['functionfn'];
    assert.equal(fn?.Type, 'Forte::Stack');
    assert.deepEqual(fn?.Properties, {
      TemplateURL: 'amplify-cfn-templates/function/fn-template.json',
      Parameters: { x: 1, env: 'dev', AppId: 'app1', apimyapiGraphQLAPIIdOutput: { 'Fn::GetAtt': ['apimyapi', 'Outputs.GraphQLAPIIdOutput'] } },
    });
    assert.deepEqual(fn?.DependsOn, ['apimyapi']);
  });

  void it('passes the role ARNs and names only to nested stacks that declare them', () => {
    const declared = {
      Parameters: { env: { Type: 'String' }, AuthRoleArn: { Type: 'String' }, UnauthRoleArn: { Type: 'String' }, UnauthRoleName: { Type: 'String' } },
      Resources: {},
    };
    const root = buildRootTemplate({ names, appId: 'app1', envName: 'dev', resources: [{ category: 'auth', resourceName: 'myauth', template: declared }] });
    assert.deepEqual(root.Resources['authmyauth']?.Properties?.['Parameters'], {
      env: 'dev',
      AppId: 'app1',
      AuthRoleArn: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/amplify-MyApp-dev-12345-authRole' },
      UnauthRoleArn: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/amplify-MyApp-dev-12345-unauthRole' },
      UnauthRoleName: 'amplify-MyApp-dev-12345-unauthRole',
    });
    assert.deepEqual(template.Resources['apimyapi']?.Properties?.['Parameters'], { env: 'dev', AppId: 'app1' });
  });

  void it("lets only the environment's own identity pool hand out its roles, and nobody when it has none", () => {
    const trustOf = (root: ReturnType<typeof buildRootTemplate>, id: string) =>
      root.Resources[id]?.Properties?.['AssumeRolePolicyDocument'] as { Statement: unknown[] };
    assert.deepEqual(trustOf(template, 'AuthRole').Statement, [], 'no identity pool: no one may assume the role');
    const auth = { category: 'auth', resourceName: 'myauth', template: { Resources: {}, Outputs: { IdentityPoolId: { Value: 'x' } } } };
    const root = buildRootTemplate({ names, appId: 'app1', envName: 'dev', resources: [auth] });
    const pool = { 'Fn::GetAtt': ['authmyauth', 'Outputs.IdentityPoolId'] };
    for (const [id, amr] of [
      ['AuthRole', 'authenticated'],
      ['UnauthRole', 'unauthenticated'],
    ] as const) {
      assert.deepEqual(trustOf(root, id).Statement, [
        {
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': pool }, 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': amr } },
        },
      ]);
    }
  });

  void it("passes an api that declares them Amplify's authRoleName / unauthRoleName as Refs, so its role policies follow the roles", () => {
    const api = {
      category: 'api',
      resourceName: 'notes',
      template: { Parameters: { authRoleName: { Type: 'String' }, unauthRoleName: { Type: 'String' } }, Resources: {} },
    };
    const root = buildRootTemplate({ names, appId: 'app1', envName: 'dev', resources: [api] });
    assert.deepEqual(root.Resources['apinotes']?.Properties?.['Parameters'], {
      env: 'dev',
      AppId: 'app1',
      authRoleName: { Ref: 'AuthRole' },
      unauthRoleName: { Ref: 'UnauthRole' },
    });
    assert.equal(root.Resources['AuthRole']?.Properties?.['RoleName'], 'amplify-MyApp-dev-12345-authRole', 'the Ref is the role name');
  });

  void it("passes parameters.json as Amplify's root stack does: the api reads the auth stack's UserPoolId, lists are joined", () => {
    const auth = { category: 'auth', resourceName: 'myauth', template: { Resources: {} } };
    const api = {
      category: 'api',
      resourceName: 'notes',
      template: { Parameters: { AuthCognitoUserPoolId: { Type: 'String' } }, Resources: {} },
      parameters: { AppSyncApiName: 'notes', AuthCognitoUserPoolId: { 'Fn::GetAtt': ['authmyauth', 'Outputs.UserPoolId'] }, Names: ['a', 'b'] },
      dependsOn: [{ category: 'auth', resourceName: 'myauth', attributes: ['UserPoolId'] }],
    };
    const root = buildRootTemplate({ names, appId: 'app1', envName: 'dev', resources: [auth, api] });
    assert.deepEqual(root.Resources['apinotes']?.Properties?.['Parameters'], {
      AppSyncApiName: 'notes',
      AuthCognitoUserPoolId: { 'Fn::GetAtt': ['authmyauth', 'Outputs.UserPoolId'] },
      Names: 'a,b',
      env: 'dev',
      AppId: 'app1',
      authmyauthUserPoolId: { 'Fn::GetAtt': ['authmyauth', 'Outputs.UserPoolId'] },
    });
    assert.deepEqual(root.Resources['apinotes']?.DependsOn, ['authmyauth']);
    assert.throws(
      () => buildRootTemplate({ names, appId: 'app1', envName: 'dev', resources: [api] }),
      (e: unknown) => isUserError(e) && /AuthCognitoUserPoolId of api notes .*authmyauth/.test(e.message) && e.resolution.includes('api/notes/parameters.json'),
    );
  });

  void it("fills a function template's parameters as Amplify's formNestedStack: env values, own bucket, secrets app id, dependsOn outputs", () => {
    const api = { category: 'api', resourceName: 'boards', template: { Resources: {} } };
    const fn = {
      category: 'function',
      resourceName: 'quotes',
      template: {
        Parameters: {
          CloudWatchRule: { Type: 'String', Default: 'NONE' },
          deploymentBucketName: { Type: 'String' },
          env: { Type: 'String' },
          s3Key: { Type: 'String' },
          secretsPathAmplifyAppId: { Type: 'String' },
          lowStockThreshold: { Type: 'String' },
          apiboardsGraphQLAPIIdOutput: { Type: 'String', Default: 'apiboardsGraphQLAPIIdOutput' },
        },
        Resources: {},
      },
      // team-provider-info.json of a cloned project: its AWS bucket and an older zip, an env var, and a key the template does not declare.
      environmentParameters: {
        deploymentBucketName: 'amplify-quotes-main-02940-deployment',
        s3Key: 'amplify-builds/quotes-old-build.zip',
        lowStockThreshold: '5',
        notDeclared: 'x',
      },
      parameters: { s3Key: 'amplify-builds/quotes-0123abcd-build.zip' },
      dependsOn: [{ category: 'api', resourceName: 'boards', attributes: ['GraphQLAPIIdOutput'] }],
    };
    const root = buildRootTemplate({ names, appId: 'app1', envName: 'main', resources: [api, fn] });
    assert.deepEqual(root.Resources['functionquotes']?.Properties?.['Parameters'], {
      deploymentBucketName: 'amplify-myapp-dev-12345-deployment',
      s3Key: 'amplify-builds/quotes-0123abcd-build.zip',
      lowStockThreshold: '5',
      env: 'main',
      AppId: 'app1',
      secretsPathAmplifyAppId: 'app1',
      apiboardsGraphQLAPIIdOutput: { 'Fn::GetAtt': ['apiboards', 'Outputs.GraphQLAPIIdOutput'] },
    });
    assert.deepEqual(root.Resources['functionquotes']?.DependsOn, ['apiboards']);
    // Not declared: the bucket and the secrets path are not passed.
    assert.deepEqual(root.Resources['apiboards']?.Properties?.['Parameters'], { env: 'main', AppId: 'app1' });
  });

  void it('refuses, before anything is applied, every template parameter without a value or a Default, naming it, the resource and its file', () => {
    const fn = (resourceName: string, sourceFile?: string) => ({
      category: 'function',
      resourceName,
      template: { Parameters: { env: { Type: 'String' }, s3Key: { Type: 'String' }, apiKey: { Type: 'String' } }, Resources: {} },
      ...(sourceFile ? { sourceFile } : {}),
    });
    assert.throws(
      () =>
        buildRootTemplate({
          names,
          appId: 'app1',
          envName: 'dev',
          resources: [fn('one'), fn('two', 'amplify/backend/function/two/two-cloudformation-template.json')],
        }),
      (e: unknown) =>
        isUserError(e) &&
        e.message.includes('s3Key of function one (declared in the template of amplify/backend/function/one/)') &&
        e.message.includes('apiKey of function two (declared in amplify/backend/function/two/two-cloudformation-template.json)') &&
        e.message.includes('4 template parameters') &&
        e.resolution.includes('dev.categories.<category>.<resource>.<parameter>'),
    );
  });

  void it('outputs the providers.awscloudformation block', () => {
    assert.deepEqual(Object.keys(template.Outputs ?? {}).sort(), [
      'AmplifyAppId',
      'AuthRoleArn',
      'AuthRoleName',
      'DeploymentBucketName',
      'Region',
      'StackId',
      'StackName',
      'UnauthRoleArn',
      'UnauthRoleName',
    ]);
    assert.deepEqual(template.Outputs?.['AuthRoleArn']?.Value, { 'Fn::GetAtt': ['AuthRole', 'Arn'] });
  });
});

void describe('backend snapshot bundle', () => {
  void it('round-trips files as {version:1, files:{path: base64}}', () => {
    const text = encodeBackendSnapshot({ 'backend-config.json': Buffer.from('{}'), 'hosting/site/a.bin': Buffer.from([0, 1, 2]) });
    assert.deepEqual(Object.keys((JSON.parse(text) as { files: object }).files), ['backend-config.json', 'hosting/site/a.bin']);
    const files = decodeBackendSnapshot(Buffer.from(text), 'k');
    assert.deepEqual([...(files['hosting/site/a.bin'] ?? [])], [0, 1, 2]);
    assert.match(snapshotKey(new Date('2026-11-22T03:04:05.678Z')), /^current-cloud-backend\/20261122T030405678Z\.json$/);
  });

  void it('refuses paths that leave the folder and unknown versions', () => {
    assert.throws(() => decodeBackendSnapshot(Buffer.from(JSON.stringify({ version: 1, files: { '../x': '' } })), 'k'), /unsafe entry/);
    assert.throws(() => decodeBackendSnapshot(Buffer.from(JSON.stringify({ version: 2, files: {} })), 'k'), /unknown format/);
    assert.throws(() => decodeBackendSnapshot(Buffer.from('nope'), 'k'), /not JSON/);
  });
});
