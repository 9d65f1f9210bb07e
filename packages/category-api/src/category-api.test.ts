import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, APPSYNC_RESOURCE_TYPES, RESOURCE_TYPES, templateSchema, type CategoryPlugin, type ResourceRef } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { describeModes } from './api-questions.js';
import { transformParameters } from './compile-api.js';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

const addRequest = (schema: string, extra: Record<string, unknown> = {}): unknown => ({
  version: 1,
  serviceConfiguration: {
    serviceName: 'AppSync',
    apiName: 'notes',
    transformSchema: schema,
    defaultAuthType: { mode: 'API_KEY', expirationTime: 30, keyDescription: 'dev' },
    ...extra,
  },
});

const OWNER_SCHEMA = 'type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) { id: ID! content: String! }';

void describe('category-api', () => {
  let root: string;
  const apiDir = (name: string): string => join(root, 'amplify/backend/api', name);
  const backend = (): Record<string, any> => readJson(join(root, 'amplify/backend/backend-config.json'));
  const context = (options: Parameters<typeof createFakePluginContext>[1]): ReturnType<typeof createFakePluginContext> =>
    createFakePluginContext(root, options);
  const withAuthResource = (): void => {
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    writeFileSync(
      join(root, 'amplify/backend/backend-config.json'),
      JSON.stringify({ auth: { myappauth: { service: 'Cognito', providerPlugin: 'awscloudformation', dependsOn: [] } } }),
    );
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-category-api-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it("`add api --yes` writes Amplify's files: an API key for 7 days and the Todo schema with the sandbox rule", async () => {
    const { ctx, printed } = context({ plugin: 'api', command: 'add', yes: true });
    await categoryPlugin.executeCommand(ctx);
    const dir = apiDir('myapp');
    assert.deepEqual(readJson(join(dir, 'cli-inputs.json')), {
      version: 1,
      serviceConfiguration: { serviceName: 'AppSync', apiName: 'myapp', defaultAuthType: { mode: 'API_KEY', expirationTime: 7 }, additionalAuthTypes: [] },
    });
    const schema = readFileSync(join(dir, 'schema.graphql'), 'utf8');
    assert.match(schema, /input AMPLIFY \{ globalAuthRule: AuthRule = \{ allow: public \} \}/);
    assert.match(schema, /type Todo @model \{/);
    assert.deepEqual(readJson(join(dir, 'parameters.json')), {
      AppSyncApiName: 'myapp',
      DynamoDBBillingMode: 'PAY_PER_REQUEST',
      DynamoDBEnableServerSideEncryption: false,
    });
    assert.deepEqual(readJson(join(dir, 'transform.conf.json')), { Version: 5, ElasticsearchWarning: true });
    assert.deepEqual(backend().api.myapp, {
      service: 'AppSync',
      providerPlugin: 'awscloudformation',
      dependsOn: [],
      output: {
        authConfig: {
          defaultAuthentication: { authenticationType: 'API_KEY', apiKeyConfig: { apiKeyExpirationDays: 7 } },
          additionalAuthenticationProviders: [],
        },
      },
    });
    assert.ok(printed.some((line) => line.includes('Successfully added resource myapp locally.')));

    await assert.rejects(
      categoryPlugin.executeCommand(context({ plugin: 'api', command: 'add', yes: true }).ctx),
      (e: unknown) => isUserError(e) && /already has a GraphQL API: myapp/.test(e.message),
    );
  });

  void it("asks Amplify's questions: the settings loop, the authorization modes and the schema template", async () => {
    withAuthResource();
    const { ctx, asked } = context({
      plugin: 'api',
      command: 'add',
      answers: {
        'Select a setting to edit or continue': ['auth', 'continue'],
        'default authorization type': 'AMAZON_COGNITO_USER_POOLS',
        'Configure additional auth types?': true,
        'Also accept API key?': true,
        'API key should expire': '14',
        'Also accept IAM?': true,
        'Choose a schema template': 'fine-grained-access',
      },
    });
    await categoryPlugin.executeCommand(ctx);
    assert.ok(asked.includes('Select from one of the below mentioned services:'));
    const inputs = readJson(join(apiDir('myapp'), 'cli-inputs.json')).serviceConfiguration;
    assert.deepEqual(inputs.defaultAuthType, { mode: 'AMAZON_COGNITO_USER_POOLS' });
    assert.deepEqual(inputs.additionalAuthTypes, [{ mode: 'API_KEY', expirationTime: 14 }, { mode: 'AWS_IAM' }]);
    assert.match(readFileSync(join(apiDir('myapp'), 'schema.graphql'), 'utf8'), /type PrivateNote @model @auth\(rules: \[\{ allow: owner \}\]\)/);
    const entry = backend().api.myapp;
    assert.deepEqual(entry.dependsOn, [{ category: 'auth', resourceName: 'myappauth', attributes: ['UserPoolId'] }]);
    assert.deepEqual(entry.output.authConfig.defaultAuthentication, {
      authenticationType: 'AMAZON_COGNITO_USER_POOLS',
      userPoolConfig: { userPoolId: 'authmyappauth' },
    });
    assert.deepEqual(readJson(join(apiDir('myapp'), 'parameters.json')).AuthCognitoUserPoolId, { 'Fn::GetAtt': ['authmyappauth', 'Outputs.UserPoolId'] });
  });

  void it('the Authorization modes line marks the default mode as Amplify does', () => {
    assert.equal(
      describeModes({ defaultAuthType: { mode: 'API_KEY', expirationTime: 7 }, additionalAuthTypes: [] }),
      'API key (default, expiration time: 7 days from now)',
    );
    assert.equal(
      describeModes({
        defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
        additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 30 }, { mode: 'AWS_IAM' }],
      }),
      'Amazon Cognito User Pool (default), API key, IAM',
    );
  });

  void it('"Do you want to edit the schema now?" opens the schema in the editor and checks what was saved; not asked with --yes', async () => {
    const opened: string[] = [];
    const edit = context({ plugin: 'api', command: 'add', answers: { 'Do you want to edit the schema now?': true } });
    edit.ctx.openEditor = async (file) => {
      opened.push(file);
      writeFileSync(file, 'type Edited @model @auth(rules: [{ allow: public }]) { id: ID! title: String! }\n');
    };
    await categoryPlugin.executeCommand(edit.ctx);
    assert.deepEqual(opened, [join(apiDir('myapp'), 'schema.graphql')]);
    assert.ok(edit.printed.some((line) => line.includes('The edited schema compiles.')));
    rmSync(join(root, 'amplify'), { recursive: true });

    const byDefault = context({ plugin: 'api', command: 'add' });
    byDefault.ctx.openEditor = async (file) => void opened.push(file);
    await categoryPlugin.executeCommand(byDefault.ctx);
    assert.ok(byDefault.asked.includes('Do you want to edit the schema now?'));
    assert.equal(opened.length, 2, "the default answer (yes, as Amplify's) opens the editor");
    rmSync(join(root, 'amplify'), { recursive: true });

    const no = context({ plugin: 'api', command: 'add', answers: { 'Do you want to edit the schema now?': false } });
    no.ctx.openEditor = async (file) => void opened.push(file);
    await categoryPlugin.executeCommand(no.ctx);
    assert.equal(opened.length, 2, 'no opens nothing');
    rmSync(join(root, 'amplify'), { recursive: true });

    const yes = context({ plugin: 'api', command: 'add', yes: true });
    yes.ctx.openEditor = async (file) => void opened.push(file);
    await categoryPlugin.executeCommand(yes.ctx);
    assert.ok(!yes.asked.includes('Do you want to edit the schema now?'));
    assert.equal(opened.length, 2);
  });

  void it("Lambda authorization: Amplify's questions create the authorizer or choose one of the project's functions, and the cache TTL", async () => {
    const answers = {
      'Select a setting to edit or continue': ['auth', 'continue'],
      'default authorization type': 'AWS_LAMBDA',
      'Choose one of the Lambda functions': 'authorizer',
      'How long should the authorization response be cached in seconds?': '60',
    };
    /** The function category's methods as the CLI's invokePluginMethod reaches them, recorded. */
    const withFunctionCategory = (fake: ReturnType<typeof context>, calls: string[]) => {
      fake.ctx.invokePluginMethod = async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
        assert.equal(category, 'function');
        calls.push(`${method}(${args.join()})`);
        return (method === 'addLambdaAuthorizerFunction' ? 'graphQlLambdaAuthorizer1234abcd' : undefined) as T;
      };
      return fake;
    };
    // No function yet: the only choice is a new one, created by the function category.
    const created: string[] = [];
    const first = withFunctionCategory(context({ plugin: 'api', command: 'add', answers }), created);
    await categoryPlugin.executeCommand(first.ctx);
    assert.deepEqual(created, ['addLambdaAuthorizerFunction()']);
    assert.deepEqual(readJson(join(apiDir('myapp'), 'cli-inputs.json')).serviceConfiguration.defaultAuthType, {
      mode: 'AWS_LAMBDA',
      lambdaFunction: 'graphQlLambdaAuthorizer1234abcd',
      ttlSeconds: '60',
    });
    rmSync(join(root, 'amplify'), { recursive: true });

    writeProjectFunctions(root, ['other', 'authorizer']);
    const chosen: string[] = [];
    const existing = withFunctionCategory(
      context({ plugin: 'api', command: 'add', answers: { ...answers, 'Choose a Lambda authorization function': 'projectFunction' } }),
      chosen,
    );
    await categoryPlugin.executeCommand(existing.ctx);
    assert.ok(existing.asked.includes('Choose a Lambda authorization function'));
    assert.deepEqual(chosen, ['addAppSyncInvokeMethodPermission(authorizer)'], 'AppSync may invoke the chosen function');
    const inputs = readJson(join(apiDir('myapp'), 'cli-inputs.json')).serviceConfiguration;
    assert.deepEqual(inputs.defaultAuthType, { mode: 'AWS_LAMBDA', lambdaFunction: 'authorizer', ttlSeconds: '60' });
    assert.deepEqual(backend().api.myapp.output.authConfig.defaultAuthentication, {
      authenticationType: 'AWS_LAMBDA',
      lambdaAuthorizerConfig: { lambdaFunction: 'authorizer', ttlSeconds: 60 },
    });
  });

  void it('refuses user-pool authorization without an auth resource, a REST function it cannot create, and `update --yes`, naming the fix', async () => {
    const userPools = addRequest('type A @model { id: ID! }', { defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' } });
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, userPools),
      (e: unknown) => isUserError(e) && /forte add auth/.test(e.resolution),
    );
    assert.equal(existsSync(apiDir('notes')), false);
    await assert.rejects(
      categoryPlugin.executeCommand(context({ plugin: 'api', command: 'add', answers: { 'mentioned services': 'REST' } }).ctx),
      (e: unknown) => isUserError(e) && /forte add function/.test(e.resolution),
    );
    await categoryPlugin.executeHeadlessCommand!(
      context({ plugin: 'api', command: 'add', headless: true }).ctx,
      addRequest(OWNER_SCHEMA.replace('{ allow: owner }, ', '')),
    );
    await assert.rejects(categoryPlugin.executeCommand(context({ plugin: 'api', command: 'update', yes: true }).ctx), /would change nothing/);
  });

  void it('an invalid schema fails at add time naming the type, field and directive, and nothing is written', async () => {
    const bad = 'type Post @model { id: ID! author: Author @belongsTo } type Author { id: ID! }';
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest(bad)),
      (e: unknown) => {
        assert.ok(isUserError(e));
        assert.match(e.message, /Post/);
        assert.match(e.message, /author/);
        assert.match(e.message, /belongsTo/);
        return true;
      },
    );
    assert.equal(existsSync(apiDir('notes')), false);
    assert.equal(backend().api, undefined);
  });

  void it("conflict detection in Amplify's questions: Custom Lambda asks for one of the project's functions, and needs one", async () => {
    const answers = {
      'Select a setting to edit or continue': ['conflicts', 'continue'],
      'Enable conflict detection?': true,
      'default resolution strategy': 'LAMBDA',
      'Lambda function that resolves conflicts': 'resolver',
    };
    await assert.rejects(
      categoryPlugin.executeCommand(context({ plugin: 'api', command: 'add', answers }).ctx),
      (e: unknown) => e instanceof Error && /the project has none/.test(e.message),
    );
    writeProjectFunctions(root, ['other', 'resolver']);
    const chosen = context({ plugin: 'api', command: 'add', answers });
    await categoryPlugin.executeCommand(chosen.ctx);
    assert.ok(chosen.asked.includes('Choose the Lambda function that resolves conflicts'));
    assert.deepEqual(readJson(join(apiDir('myapp'), 'cli-inputs.json')).serviceConfiguration.conflictResolution, {
      defaultResolutionStrategy: { type: 'LAMBDA', resolver: { type: 'EXISTING', name: 'resolver' } },
    });
    assert.deepEqual(readJson(join(apiDir('myapp'), 'transform.conf.json')).ResolverConfig, {
      project: { ConflictHandler: 'LAMBDA', ConflictDetection: 'VERSION', LambdaConflictHandler: { name: 'resolver-${env}' } },
    });
  });

  void it('conflict resolution: a LAMBDA strategy names its handler function in transform.conf.json; a NEW one is refused', async () => {
    const lambda = (resolver: unknown) =>
      addRequest('type Note @model { id: ID! content: String }', {
        conflictResolution: {
          defaultResolutionStrategy: { type: 'AUTOMERGE' },
          perModelResolutionStrategy: [{ entityName: 'Note', resolutionStrategy: { type: 'LAMBDA', resolver } }],
        },
      });
    await categoryPlugin.executeHeadlessCommand!(
      context({ plugin: 'api', command: 'add', headless: true }).ctx,
      lambda({ type: 'EXISTING', name: 'noteresolver' }),
    );
    assert.deepEqual(readJson(join(apiDir('notes'), 'transform.conf.json')).ResolverConfig, {
      project: { ConflictHandler: 'AUTOMERGE', ConflictDetection: 'VERSION' },
      // The project function in each environment, as the function category names it.
      models: { Note: { ConflictHandler: 'LAMBDA', ConflictDetection: 'VERSION', LambdaConflictHandler: { name: 'noteresolver-${env}' } } },
    });
    rmSync(join(root, 'amplify'), { recursive: true, force: true });
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, lambda({ type: 'NEW' })),
      (e: unknown) => e instanceof Error && /names its handler: resolver \{"type": "EXISTING"/.test(e.message),
    );
  });

  void it("headless add, then gql-compile and push build: the compiled schema, a table per model and the API's template", async () => {
    withAuthResource();
    const request = addRequest(OWNER_SCHEMA, {
      defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 30 }],
    });
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, request);
    const dir = apiDir('notes');
    await categoryPlugin.executeCommand(context({ plugin: 'api', command: 'gql-compile' }).ctx);
    const compiled = readFileSync(join(dir, 'build/schema.graphql'), 'utf8');
    assert.match(compiled, /type Note @aws_api_key @aws_cognito_user_pools \{/);
    assert.match(compiled, /getNote\(id: ID!\): Note/);
    assert.ok(existsSync(join(dir, 'build/model-introspection.json')));

    const ref: ResourceRef = { category: 'api', resourceName: 'notes', service: 'AppSync', dir };
    const built = await categoryPlugin.build!(context({ plugin: 'api' }).ctx, ref);
    const template = templateSchema.parse(built.template);
    assert.equal(template.Resources.GraphQLAPI?.Type, APPSYNC_RESOURCE_TYPES.graphQLApi);
    assert.equal(template.Resources.GraphQLAPI?.Properties?.AuthenticationType, 'AMAZON_COGNITO_USER_POOLS');
    assert.equal(template.Resources.NoteTable?.Type, 'Forte::DynamoDB::Table');
    assert.deepEqual(template.Resources.NoteTable?.Properties?.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
    const schemaResource = template.Resources.GraphQLSchema!;
    assert.equal(String(schemaResource.Properties?.Definition).trim(), compiled.trim());
    assert.deepEqual(schemaResource.Properties?.Tables, { Note: { 'Fn::GetAtt': ['NoteTable', 'TableName'] } });
    assert.equal(template.Resources.GraphQLAPIKey?.Properties?.ExpirationDays, 30);
    assert.deepEqual(Object.keys(template.Outputs ?? {}).sort(), [
      'GetAttNoteTableName',
      'GetAttNoteTableStreamArn',
      'GraphQLAPIEndpointOutput',
      'GraphQLAPIIdOutput',
      'GraphQLAPIKeyOutput',
    ]);
    // Amplify's model transformer's exports, which function templates import as `${apiId}:GetAtt:NoteTable:Name` / `:StreamArn`.
    const apiId = { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] };
    assert.deepEqual(template.Outputs?.GetAttNoteTableName, {
      Value: { Ref: 'NoteTable' },
      Description: 'Your DynamoDB table name.',
      Export: { Name: { 'Fn::Join': [':', [apiId, 'GetAtt', 'NoteTable', 'Name']] } },
    });
    assert.deepEqual(template.Outputs?.GetAttNoteTableStreamArn, {
      Value: { 'Fn::GetAtt': ['NoteTable', 'StreamArn'] },
      Description: 'Your DynamoDB table StreamArn.',
      Export: { Name: { 'Fn::Join': [':', [apiId, 'GetAtt', 'NoteTable', 'StreamArn']] } },
    });
    assert.deepEqual(built.parameters, {
      AppSyncApiName: 'notes',
      DynamoDBBillingMode: 'PAY_PER_REQUEST',
      DynamoDBEnableServerSideEncryption: 'false',
      AuthCognitoUserPoolId: { 'Fn::GetAtt': ['authmyappauth', 'Outputs.UserPoolId'] },
    });
  });

  void it("refuses to push custom resolvers (VTL in resolvers/, resources in stacks/), naming each; Amplify's empty ones push", async () => {
    const schema = 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! content: String! }';
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest(schema));
    const dir = apiDir('notes');
    const ref: ResourceRef = { category: 'api', resourceName: 'notes', service: 'AppSync', dir };
    const build = () => categoryPlugin.build!(context({ plugin: 'api' }).ctx, ref);
    // What Amplify writes in a new API: a README among the resolvers and a nested stack whose one resource is never created.
    mkdirSync(join(dir, 'stacks'), { recursive: true });
    const emptyStack = {
      Parameters: { env: { Type: 'String' } },
      Resources: { EmptyResource: { Type: 'Custom::EmptyResource', Condition: 'AlwaysFalse' } },
      Conditions: { HasEnvironmentParameter: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] }] }, AlwaysFalse: { 'Fn::Equals': ['true', 'false'] } },
    };
    writeFileSync(join(dir, 'stacks/CustomResources.json'), JSON.stringify(emptyStack));
    writeFileSync(join(dir, 'resolvers/.DS_Store'), '');
    await build();

    // A slot of a generated resolver (here: a step after the auth checks of the list query).
    const slot = join(dir, 'resolvers/Query.listNotes.postAuth.2.req.vtl');
    writeFileSync(slot, '$util.qr($ctx.stash.put("authFilter", {"tenant": {"eq": $ctx.identity.claims.tenant}}))\n{}');
    const refused = await build().then(
      () => assert.fail('pushed with a resolver that Forte does not run'),
      (error: unknown) => error,
    );
    assert.ok(isUserError(refused));
    assert.match(
      (refused as Error).message,
      /does not deploy custom resolvers or the resources of an API's stacks\/ yet, and the API notes has one, so nothing was pushed/,
    );
    assert.match((refused as Error).message, /amplify\/backend\/api\/notes\/resolvers\/Query\.listNotes\.postAuth\.2\.req\.vtl: a resolver template \(VTL\)/);
    assert.doesNotMatch((refused as Error).message, /README|DS_Store|CustomResources/);
    const compile = context({ plugin: 'api', command: 'gql-compile' });
    await categoryPlugin.executeCommand(compile.ctx);
    assert.ok(
      compile.printed.some((line) => /push of this API is refused[\s\S]*Query\.listNotes\.postAuth\.2\.req\.vtl/.test(line)),
      compile.printed.join('\n'),
    );
    rmSync(slot);

    // A custom field's resolver and data source in the nested stack; the condition-less resources count.
    const withResolver = structuredClone(emptyStack) as { Resources: Record<string, unknown> };
    withResolver.Resources['QueryReportResolver'] = { Type: 'AWS::AppSync::Resolver', Properties: { FieldName: 'report', TypeName: 'Query' } };
    withResolver.Resources['ReportDataSource'] = { Type: 'AWS::AppSync::DataSource', Condition: 'HasEnvironmentParameter', Properties: {} };
    writeFileSync(join(dir, 'stacks/CustomResources.json'), JSON.stringify(withResolver));
    await assert.rejects(build(), (error: Error) => {
      assert.match(
        error.message,
        /the API notes has one, so nothing was pushed:\n  amplify\/backend\/api\/notes\/stacks\/CustomResources\.json: QueryReportResolver \(AWS::AppSync::Resolver\), ReportDataSource \(AWS::AppSync::DataSource\)\n/,
      );
      assert.doesNotMatch(error.message, /EmptyResource/);
      return true;
    });
    writeFileSync(join(dir, 'stacks/CustomResources.json'), '{ "Resources": ');
    await assert.rejects(build(), /stacks\/CustomResources\.json is not valid JSON/);
    writeFileSync(join(dir, 'stacks/CustomResources.json'), JSON.stringify(emptyStack));
    await build();
  });

  void it("names Amplify's admin roles: the roles of functions with access to the API, and custom-roles.json's", async () => {
    const schema = 'type Note @model @auth(rules: [{ allow: private, provider: iam }]) { id: ID! content: String! }';
    await categoryPlugin.executeHeadlessCommand!(
      context({ plugin: 'api', command: 'add', headless: true }).ctx,
      addRequest(schema, { defaultAuthType: { mode: 'AWS_IAM' }, additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 7 }] }),
    );
    const dir = apiDir('notes');
    const config = backend();
    // Amplify's function template names its role per environment; a function without access to the API is no admin.
    const roleName = (base: string) => ({ 'Fn::If': ['ShouldNotCreateEnvResources', base, { 'Fn::Join': ['', [base, '-', { Ref: 'env' }]] }] });
    for (const [name, base] of [
      ['lister', 'notesLambdaRole1a2b3c4d'],
      ['mailer', 'notesLambdaRole9f8e7d6c'],
    ] as const) {
      mkdirSync(join(root, 'amplify/backend/function', name), { recursive: true });
      writeFileSync(
        join(root, 'amplify/backend/function', name, `${name}-cloudformation-template.json`),
        JSON.stringify({ Resources: { LambdaExecutionRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: roleName(base) } } } }),
      );
    }
    config.function = {
      lister: { service: 'Lambda', dependsOn: [{ category: 'api', resourceName: 'notes', attributes: ['GraphQLAPIIdOutput'] }] },
      mailer: { service: 'Lambda', dependsOn: [] },
    };
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
    writeFileSync(
      join(dir, 'custom-roles.json'),
      JSON.stringify({
        adminRoleNames: ['ops-${env}', 'arn:aws:sts::123456789012:assumed-role/auditor/session-1', 'arn:aws:iam::123456789012:role/plain', 'svc/session'],
      }),
    );
    const fake = context({ plugin: 'api' });
    const built = await categoryPlugin.build!(fake.ctx, { category: 'api', resourceName: 'notes', service: 'AppSync', dir });
    const api = templateSchema.parse(built.template).Resources.GraphQLAPI!;
    assert.deepEqual(api.Properties?.AdminRoleNames, ['notesLambdaRole1a2b3c4d-dev', 'ops-dev', 'auditor']);
    assert.ok(
      fake.printed.some((line) =>
        /Ignoring "arn:aws:iam::123456789012:role\/plain" in amplify\/backend\/api\/notes\/custom-roles\.json: .*an IAM ARN/.test(line),
      ),
      fake.printed.join('\n'),
    );
    assert.ok(fake.printed.some((line) => /Ignoring "svc\/session"/.test(line)));

    // Without an IAM auth mode nobody can be an admin role: the property is left out.
    writeFileSync(join(dir, 'custom-roles.json'), '{"adminRoleNames": "ops"}');
    const cliInputs = JSON.parse(readFileSync(join(dir, 'cli-inputs.json'), 'utf8'));
    cliInputs.serviceConfiguration.defaultAuthType = { mode: 'API_KEY', expirationTime: 7 };
    cliInputs.serviceConfiguration.additionalAuthTypes = [];
    writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify(cliInputs));
    writeFileSync(join(dir, 'schema.graphql'), 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! content: String! }');
    const keyOnly = await categoryPlugin.build!(context({ plugin: 'api' }).ctx, { category: 'api', resourceName: 'notes', service: 'AppSync', dir });
    assert.equal(templateSchema.parse(keyOnly.template).Resources.GraphQLAPI!.Properties?.AdminRoleNames, undefined);
  });

  void it('a table with composite sort keys names how each synthetic attribute is made (CompositeKeyAttributes); others have none', async () => {
    const schema = `type Event @model { tenant: String! @primaryKey(sortKeyFields: ["day", "seq"]) day: String! seq: Int! note: String @index(name: "byNote", sortKeyFields: ["seq", "day"]) }
      type Tag @model { id: ID! label: String @index(name: "byLabel") }`;
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest(schema));
    const built = await categoryPlugin.build!(context({ plugin: 'api' }).ctx, {
      category: 'api',
      resourceName: 'notes',
      service: 'AppSync',
      dir: apiDir('notes'),
    });
    const template = templateSchema.parse(built.template);
    assert.deepEqual(template.Resources.EventTable?.Properties?.KeySchema, [
      { AttributeName: 'tenant', KeyType: 'HASH' },
      { AttributeName: 'day#seq', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(template.Resources.EventTable?.Properties?.CompositeKeyAttributes, [
      { AttributeName: 'day#seq', SourceAttributes: ['day', 'seq'] },
      { AttributeName: 'seq#day', SourceAttributes: ['seq', 'day'] },
    ]);
    assert.equal(template.Resources.TagTable?.Properties?.CompositeKeyAttributes, undefined);
  });

  void it("with AWS_IAM the template takes the root's role names and grants appsync:GraphQL on exactly the fields the iam rules open", async () => {
    withAuthResource();
    const schema = `type Post @model @auth(rules: [
      { allow: public, provider: iam, operations: [read] },
      { allow: private, provider: iam, operations: [read, create] },
      { allow: owner }
    ]) {
      id: ID!
      title: String! @index(name: "byTitle", queryField: "postsByTitle")
      secret: String @auth(rules: [{ allow: private, provider: iam }, { allow: owner }])
    }
    type Draft @model @auth(rules: [{ allow: owner }]) { id: ID! text: String }
    type Query { lowStock: String @function(name: "low-\${env}") @auth(rules: [{ allow: private, provider: iam }]) }`;
    const request = addRequest(schema, { defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' }, additionalAuthTypes: [{ mode: 'AWS_IAM' }] });
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, request);
    const ref: ResourceRef = { category: 'api', resourceName: 'notes', service: 'AppSync', dir: apiDir('notes') };
    const built = await categoryPlugin.build!(context({ plugin: 'api' }).ctx, ref);
    const template = templateSchema.parse(built.template);
    assert.deepEqual(template.Parameters?.authRoleName, { Type: 'String' });
    assert.deepEqual(template.Parameters?.unauthRoleName, { Type: 'String' });
    assert.equal(built.parameters?.authRoleName, undefined, 'the root stack passes the role names, not parameters.json');

    /** `<Type>/<field>` (or `<Type>/*`) of each ARN a policy grants, after checking the ARN's shape. */
    const granted = (logicalId: string, roleParameter: string): string[] => {
      const policy = template.Resources[logicalId];
      assert.equal(policy?.Type, RESOURCE_TYPES.policy, logicalId);
      const props = policy.Properties as {
        PolicyName: unknown;
        Roles: unknown;
        PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown[] }[] };
      };
      assert.deepEqual(props.Roles, [{ Ref: roleParameter }]);
      assert.deepEqual(props.PolicyName, { 'Fn::Join': ['-', [{ Ref: 'AppSyncApiName' }, { Ref: 'env' }, logicalId]] });
      const [statement, ...more] = props.PolicyDocument.Statement;
      assert.equal(more.length, 0);
      assert.equal(statement?.Effect, 'Allow');
      assert.deepEqual(statement?.Action, ['appsync:GraphQL']);
      return statement!.Resource.map((resource) => {
        const [text, variables] = (resource as { 'Fn::Sub': [string, { apiId: unknown; typeName: string; fieldName?: string }] })['Fn::Sub'];
        assert.deepEqual(variables.apiId, { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] });
        assert.match(text, /^arn:aws:appsync:\$\{AWS::Region\}:\$\{AWS::AccountId\}:apis\/\$\{apiId\}\/types\/\$\{typeName\}\/(fields\/\$\{fieldName\}|\*)$/);
        return `${variables.typeName}/${variables.fieldName ?? '*'}`;
      }).sort();
    };
    const reads = [
      'Post/*',
      'Query/getPost',
      'Query/listPosts',
      'Query/postsByTitle',
      'Subscription/onCreatePost',
      'Subscription/onDeletePost',
      'Subscription/onUpdatePost',
    ];
    assert.deepEqual(granted('UnauthRolePolicy01', 'unauthRoleName'), reads, 'guests: the public reads only (no Draft, no mutation, no private field)');
    assert.deepEqual(
      granted('AuthRolePolicy01', 'authRoleName'),
      [...reads, 'Mutation/createPost', 'Post/secret', 'Query/lowStock'].sort(),
      'signed in: the public and the private grants, @function fields included',
    );
    assert.equal(template.Resources.AuthRolePolicy02, undefined);

    const withoutIam = addRequest(
      schema.replace(/provider: iam/g, 'provider: userPools').replace(/allow: public, provider: userPools/, 'allow: public, provider: apiKey'),
      {
        apiName: 'plain',
        defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
        additionalAuthTypes: [{ mode: 'API_KEY' }],
      },
    );
    await categoryPlugin.executeCommand(context({ plugin: 'api', command: 'remove', yes: true }).ctx);
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, withoutIam);
    const plain = templateSchema.parse(
      (await categoryPlugin.build!(context({ plugin: 'api' }).ctx, { ...ref, resourceName: 'plain', dir: apiDir('plain') })).template,
    );
    assert.equal(plain.Parameters?.authRoleName, undefined, 'no AWS_IAM mode: no role parameters');
    assert.deepEqual(
      Object.values(plain.Resources).filter((r) => r.Type === RESOURCE_TYPES.policy),
      [],
    );
  });

  void it('headless update replaces the authorization modes and the schema; remove --yes deletes the folder and entries', async () => {
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest('type A @model { id: ID! }'));
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'update', headless: true }).ctx, {
      version: 1,
      serviceModification: { serviceName: 'AppSync', transformSchema: 'type B @model { id: ID! }', additionalAuthTypes: [{ mode: 'AWS_IAM' }] },
    });
    const inputs = readJson(join(apiDir('notes'), 'cli-inputs.json')).serviceConfiguration;
    assert.deepEqual(inputs.defaultAuthType, { mode: 'API_KEY', expirationTime: 30, keyDescription: 'dev' });
    assert.deepEqual(inputs.additionalAuthTypes, [{ mode: 'AWS_IAM' }]);
    assert.equal(readFileSync(join(apiDir('notes'), 'schema.graphql'), 'utf8'), 'type B @model { id: ID! }');

    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'remove', headless: true, yes: true }).ctx, {});
    assert.equal(existsSync(apiDir('notes')), false);
    assert.equal(backend().api, undefined);
  });

  void it('reads the schema from schema/*.graphql, and refuses a folder with both forms', async () => {
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest('type A @model { id: ID! }'));
    const dir = apiDir('notes');
    rmSync(join(dir, 'schema.graphql'));
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema/a.graphql'), 'type A @model { id: ID! b: B @hasOne }');
    writeFileSync(join(dir, 'schema/b.graphql'), 'type B @model { id: ID! }');
    await categoryPlugin.executeCommand(context({ plugin: 'api', command: 'gql-compile' }).ctx);
    assert.match(readFileSync(join(dir, 'build/schema.graphql'), 'utf8'), /getB\(id: ID!\): B/);
    writeFileSync(join(dir, 'schema.graphql'), 'type C @model { id: ID! }');
    await assert.rejects(categoryPlugin.executeCommand(context({ plugin: 'api', command: 'gql-compile' }).ctx), /both schema.graphql and a schema\/ folder/);
  });

  void it('refuses what the cloud would refuse with file:line:column, naming the file of schema/ that holds it; nothing is built', async () => {
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, addRequest('type A @model { id: ID! }'));
    const dir = apiDir('notes');
    const compile = () => categoryPlugin.executeCommand(context({ plugin: 'api', command: 'gql-compile' }).ctx);
    writeFileSync(join(dir, 'schema.graphql'), 'type Post @model {\n  id: ID!\n  title: Strin!\n}\n');
    await assert.rejects(compile(), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.equal(e.message, 'amplify/backend/api/notes/schema.graphql:3:10 Post.title: unknown type "Strin" (did you mean "String"?)');
      return true;
    });
    writeFileSync(join(dir, 'schema.graphql'), 'type Post @model {\n  id: ID!\n  title: Strin!\n  tags: [Tag]\n}\n');
    await assert.rejects(compile(), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.equal(
        e.message,
        'amplify/backend/api/notes/schema.graphql:3:10 Post.title: unknown type "Strin" (did you mean "String"?)\namplify/backend/api/notes/schema.graphql:4:10 Post.tags: unknown type "Tag"',
      );
      return true;
    });
    rmSync(join(dir, 'schema.graphql'));
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema/a.graphql'), 'type A @model {\n  id: ID!\n  b: B @hasOne\n}\n');
    writeFileSync(join(dir, 'schema/b.graphql'), '# B\ntype B @model @model {\n  id: ID!\n}\n');
    writeFileSync(join(dir, 'schema/c.graphql'), 'type C @model {\n  id: ID!\n  title String\n}\n');
    await assert.rejects(compile(), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.equal(
        e.message,
        'amplify/backend/api/notes/schema/c.graphql:3:9 The schema is not valid GraphQL: Syntax Error: Expected ":", found Name "String".',
      );
      return true;
    });
    rmSync(join(dir, 'schema/c.graphql'));
    await assert.rejects(compile(), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.equal(e.message, 'amplify/backend/api/notes/schema/b.graphql:2:15 B: the directive "@model" can only be used once at this location');
      return true;
    });
    assert.equal(existsSync(join(dir, 'build')), false);
  });

  void it("takes transformer parameters from cli.json feature flags, with Amplify's existing-project defaults when absent", () => {
    assert.deepEqual(transformParameters({}), {
      useSubUsernameForDefaultIdentityClaim: false,
      populateOwnerFieldForStaticGroupAuth: false,
      secondaryKeyAsGSI: false,
      enableAutoIndexQueryNames: false,
      respectPrimaryKeyAttributesOnConnectionField: false,
      shouldDeepMergeDirectiveConfigDefaults: true,
      subscriptionsInheritPrimaryAuth: false,
    });
    const fromNewProject = transformParameters({
      features: { graphqltransformer: { usesubusernamefordefaultidentityclaim: true, shoulddeepmergedirectiveconfigdefaults: false } },
    });
    assert.equal(fromNewProject.useSubUsernameForDefaultIdentityClaim, true);
    assert.equal(fromNewProject.shouldDeepMergeDirectiveConfigDefaults, false);
  });
});

/** A project whose backend-config.json lists these Lambda functions (and nothing else). */
function writeProjectFunctions(root: string, names: string[]): void {
  mkdirSync(join(root, 'amplify/backend'), { recursive: true });
  const functions = Object.fromEntries(names.map((name) => [name, { service: 'Lambda', providerPlugin: 'awscloudformation', build: true }]));
  writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify({ function: functions }));
}
