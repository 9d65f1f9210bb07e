import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, templateSchema, type CategoryPlugin, type IdentityPoolSettings, type PluginContext } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import { crudMethods, pathOverlap, validatePathName } from './rest-config.js';
import { restTemplate } from './rest-template.js';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
const ALL = ['create', 'read', 'update', 'delete'];

void describe('category-api REST (API Gateway)', () => {
  let root: string;
  const backendFile = (): string => join(root, 'amplify/backend/backend-config.json');
  const backend = (): Record<string, any> => readJson(backendFile());
  const apiDir = (name: string): string => join(root, 'amplify/backend/api', name);
  /** A project with a Cognito auth resource (optionally with user pool groups) and the named functions. */
  /** With groups, Amplify's auth/userPoolGroups resource (the groups' IAM roles) and its precedence file. */
  const project = (functions: string[], groups: string[] = []): void => {
    const fns = Object.fromEntries(functions.map((f) => [f, { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' }]));
    const auth: Record<string, unknown> = { myappauth: { service: 'Cognito', providerPlugin: 'awscloudformation', dependsOn: [] } };
    if (groups.length > 0) {
      auth.userPoolGroups = { service: 'Cognito-UserPool-Groups', providerPlugin: 'awscloudformation', dependsOn: [] };
      mkdirSync(join(root, 'amplify/backend/auth/userPoolGroups'), { recursive: true });
      writeFileSync(
        join(root, 'amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json'),
        JSON.stringify(groups.map((groupName, precedence) => ({ groupName, precedence }))),
      );
    }
    writeFileSync(backendFile(), JSON.stringify({ auth, function: fns }));
  };
  /** What the auth category answers of myappauth's identity pool (its identityPoolSettings method): nothing recorded unless a test says. */
  let pool: IdentityPoolSettings;
  /**
   * The fake context, with the function category's addFunctionResource and the auth category's identityPoolSettings
   * standing in for the CLI's invokePluginMethod.
   */
  const context = (options: Parameters<typeof createFakePluginContext>[1], created: { path?: string; request?: unknown }[] = []) => {
    const fake = createFakePluginContext(root, options);
    (fake.ctx as PluginContext).invokePluginMethod = async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
      if (category === 'auth') {
        assert.deepEqual([method, args], ['identityPoolSettings', [{ resourceName: 'myappauth' }]]);
        return pool as T;
      }
      assert.equal(category, 'function');
      assert.equal(method, 'addFunctionResource');
      const options = args[0] as { path?: string; request?: { name?: string } };
      created.push(options);
      const name = options.request?.name ?? `fn${created.length}`;
      const config = backend();
      config.function = { ...config.function, [name]: { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' } };
      writeFileSync(backendFile(), JSON.stringify(config));
      return name as T;
    };
    return fake;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-rest-api-'));
    pool = {};
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it("`add api` → REST asks Amplify's questions in order and writes cli-inputs.json, parameters.json and the backend-config entry", async () => {
    project(['itemsfn']);
    const created: { path?: string }[] = [];
    const { ctx, asked, printed } = context(
      {
        plugin: 'api',
        command: 'add',
        answers: {
          'Select from one of the below mentioned services:': 'REST',
          'Provide a friendly name': 'itemsapi',
          'Provide a path': ['/items', '/orders/{id}'],
          'Choose a Lambda source': ['projectFunction', 'newFunction'],
          'Choose the Lambda function to invoke by this path': 'itemsfn',
          'Restrict API access?': true,
          'Who should have access?': ['private', 'protected'],
          'grant to Authenticated users?': ['create, read, update, delete', 'read'],
          'grant to Guest users?': 'read',
          'Do you want to add another path?': [true, false],
        },
      },
      created,
    );
    await categoryPlugin.executeCommand(ctx);
    const order = [
      'Select from one of the below mentioned services:',
      'Provide a friendly name for your resource to be used as a label for this category in the project:',
      'Provide a path (e.g., /book/{isbn}):',
      'Choose a Lambda source',
      'Choose the Lambda function to invoke by this path',
      'Restrict API access?',
      'Who should have access?',
      'What permissions do you want to grant to Authenticated users?',
      'Do you want to add another path?',
    ];
    assert.deepEqual(
      asked.slice(0, order.length).map((q) => order.find((o) => q.startsWith(o)) ?? q),
      order,
    );
    // The new function was created through the function category, with the API path.
    assert.deepEqual(created, [{ path: '/orders/{id}' }]);
    assert.ok(printed.includes('Successfully added the Lambda function locally'));
    assert.deepEqual(readJson(join(apiDir('itemsapi'), 'cli-inputs.json')), {
      version: 1,
      paths: {
        '/items': { name: '/items', lambdaFunction: 'itemsfn', permissions: { setting: 'private', auth: ALL } },
        '/orders/{id}': { name: '/orders/{id}', lambdaFunction: 'fn1', permissions: { setting: 'protected', auth: ['read'], guest: ['read'] } },
      },
    });
    assert.deepEqual(readJson(join(apiDir('itemsapi'), 'parameters.json')), {});
    assert.deepEqual(backend().api.itemsapi, {
      service: 'API Gateway',
      providerPlugin: 'awscloudformation',
      dependsOn: [
        { category: 'function', resourceName: 'itemsfn', attributes: ['Name', 'Arn'] },
        { category: 'function', resourceName: 'fn1', attributes: ['Name', 'Arn'] },
      ],
    });
    assert.equal(readJson(join(root, 'amplify/backend/amplify-meta.json')).api.itemsapi.service, 'API Gateway');
  });

  void it('restricting access without an auth resource is refused, naming `forte add auth`; an open path needs none', async () => {
    writeFileSync(backendFile(), JSON.stringify({ function: { fn: { service: 'Lambda', providerPlugin: 'awscloudformation', build: true } } }));
    const answers = {
      'Select from one of the below mentioned services:': 'REST',
      'Provide a friendly name': 'open',
      'Choose a Lambda source': 'projectFunction',
      'Restrict API access?': true,
    };
    await assert.rejects(categoryPlugin.executeCommand(context({ plugin: 'api', command: 'add', answers }).ctx), (e: unknown) =>
      isUserError(e) ? /forte add auth/.test(e.resolution) : false,
    );
    assert.equal(existsSync(apiDir('open')), false);
    await categoryPlugin.executeCommand(context({ plugin: 'api', command: 'add', answers: { ...answers, 'Restrict API access?': false } }).ctx);
    assert.deepEqual(readJson(join(apiDir('open'), 'cli-inputs.json')).paths['/items'].permissions, { setting: 'open' });
  });

  void it('a restricted path needs the identity pool; guests without unauthenticated logins are warned about', async () => {
    project(['fn']);
    const request = (setting: string, extra: Record<string, unknown> = {}): unknown => ({
      version: 1,
      serviceConfiguration: {
        serviceName: 'API Gateway',
        apiName: 'guests',
        paths: { '/items': { lambdaFunction: 'fn', permissions: { setting, auth: ['read'], ...extra } } },
      },
    });
    pool = { identityPool: false };
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }).ctx, request('private')),
      (e: unknown) => isUserError(e) && /has no identity pool/.test(e.message) && /forte update auth/.test(e.resolution),
    );
    assert.equal(existsSync(apiDir('guests')), false);
    pool = { identityPool: true, guests: false };
    const { ctx, printed } = context({ plugin: 'api', command: 'add', headless: true });
    await categoryPlugin.executeHeadlessCommand!(ctx, request('protected', { guest: ['read'] }));
    assert.ok(printed.some((line) => /Path \/items grants guests access, but the identity pool of myappauth does not allow unauthenticated logins/.test(line)));
  });

  void it('with user pool groups, "Restrict access by" offers groups; groups add the auth and userPoolGroups dependencies', async () => {
    project(['adminfn'], ['Admin', 'Editors']);
    const { ctx, asked } = context({
      plugin: 'api',
      command: 'add',
      answers: {
        'Select from one of the below mentioned services:': 'REST',
        'Provide a friendly name': 'adminapi',
        'Provide a path': '/admin',
        'Choose a Lambda source': 'projectFunction',
        'Restrict API access?': true,
        'Restrict access by:': 'both',
        'Who should have access?': 'private',
        'grant to Authenticated users?': 'read',
        'Select groups:': 'Admin',
        'grant to Admin users?': 'create, read, update, delete',
      },
    });
    await categoryPlugin.executeCommand(ctx);
    assert.ok(asked.some((q) => q.startsWith('Select groups: (Admin, Editors')));
    assert.deepEqual(readJson(join(apiDir('adminapi'), 'cli-inputs.json')).paths['/admin'].permissions, {
      setting: 'private',
      auth: ['read'],
      groups: { Admin: ALL },
    });
    assert.deepEqual(backend().api.adminapi.dependsOn, [
      { category: 'function', resourceName: 'adminfn', attributes: ['Name', 'Arn'] },
      { category: 'auth', resourceName: 'myappauth', attributes: ['UserPoolId'] },
      { category: 'auth', resourceName: 'userPoolGroups', attributes: ['AdminGroupRole'] },
    ]);
  });

  void it("group permissions need the groups' IAM roles (auth/userPoolGroups): without them the request, the file and the push are refused", async () => {
    project(['fn']);
    const created: { path?: string }[] = [];
    const request = (paths: unknown): unknown => ({ version: 1, serviceConfiguration: { serviceName: 'API Gateway', apiName: 'admin', paths } });
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(
        context({ plugin: 'api', command: 'add', headless: true }, created).ctx,
        request({ '/admin': { newFunction: { name: 'adminfn' }, permissions: { setting: 'private', groups: { Admin: ['read'] } } } }),
      ),
      (e: unknown) => isUserError(e) && /grants the user pool group Admin/.test(e.message) && /forte update auth/.test(e.resolution),
    );
    assert.deepEqual(created, [], 'no function is created');
    // An API whose file names groups (copied from an Amplify project without its userPoolGroups) fails at build, before any upload.
    const dir = apiDir('admin');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cli-inputs.json'),
      JSON.stringify({ version: 1, paths: { '/admin': { lambdaFunction: 'fn', permissions: { setting: 'private', groups: { Admin: ['read'] } } } } }),
    );
    await assert.rejects(
      categoryPlugin.build!(context({ plugin: 'api', command: 'add' }).ctx, { category: 'api', resourceName: 'admin', service: 'API Gateway', dir }),
      (e: unknown) => isUserError(e) && /cli-inputs\.json: path \/admin grants the user pool group Admin/.test(e.message),
    );
    // Without group roles the walkthrough does not offer groups.
    const { ctx, asked } = context({
      plugin: 'api',
      command: 'add',
      answers: { 'mentioned services': 'REST', 'Choose a Lambda source': 'projectFunction', 'Restrict API access?': true },
    });
    await categoryPlugin.executeCommand(ctx);
    assert.ok(!asked.includes('Restrict access by:'));
    // Amplify's default friendly name: api and eight hex digits.
    assert.deepEqual(Object.keys(backend().api).filter((n) => /^api[0-9a-f]{8}$/.test(n)).length, 1);
  });

  void it('`update api` adds, edits and removes paths; `remove api` removes the API', async () => {
    project(['a', 'b']);
    const add = (answers: Record<string, string | boolean | (string | boolean)[]>) =>
      categoryPlugin.executeCommand(
        context({ plugin: 'api', command: 'add', answers: { 'Select from one of the below mentioned services:': 'REST', ...answers } }).ctx,
      );
    await add({ 'Provide a friendly name': 'shop', 'Choose a Lambda source': 'projectFunction', 'Restrict API access?': false });
    const update = (answers: Record<string, string | boolean | (string | boolean)[]>) =>
      categoryPlugin.executeCommand(context({ plugin: 'api', command: 'update', answers }).ctx);
    const paths = (): Record<string, any> => readJson(join(apiDir('shop'), 'cli-inputs.json')).paths;

    await update({
      'What would you like to do?': 'add',
      'Provide a path': '/orders',
      'Choose a Lambda source': 'projectFunction',
      'Choose the Lambda function to invoke by this path': 'b',
      'Restrict API access?': true,
      'grant to Authenticated users?': 'create, read',
    });
    assert.deepEqual(Object.keys(paths()), ['/items', '/orders']);
    assert.deepEqual(paths()['/orders'].permissions, { setting: 'private', auth: ['create', 'read'] });
    assert.deepEqual(
      backend().api.shop.dependsOn.map((d: { resourceName: string }) => d.resourceName),
      ['a', 'b'],
    );

    await update({
      'What would you like to do?': 'update',
      'Select the path to edit': '/items',
      'Provide a path': '/items',
      'Choose a Lambda source': 'projectFunction',
      'Choose the Lambda function to invoke by this path': 'b',
      'Restrict API access?': true,
      'grant to Authenticated users?': 'read',
    });
    assert.deepEqual(paths()['/items'], { name: '/items', lambdaFunction: 'b', permissions: { setting: 'private', auth: ['read'] } });
    assert.deepEqual(backend().api.shop.dependsOn, [{ category: 'function', resourceName: 'b', attributes: ['Name', 'Arn'] }]);

    await update({ 'What would you like to do?': 'remove', 'Select the path to remove': '/orders' });
    assert.deepEqual(Object.keys(paths()), ['/items']);
    await assert.rejects(update({ 'What would you like to do?': 'remove' }), (e: unknown) => isUserError(e) && /at least one path/.test(e.message));

    await categoryPlugin.executeCommand(context({ plugin: 'api', command: 'remove', yes: true }).ctx);
    assert.equal(existsSync(apiDir('shop')), false);
    assert.equal(backend().api, undefined);
  });

  void it('`update api` asks for the service when the project has a GraphQL and a REST API, and `remove api` which API', async () => {
    project(['fn']);
    const config = backend();
    config.api = { notes: { service: 'AppSync', providerPlugin: 'awscloudformation', dependsOn: [] } };
    writeFileSync(backendFile(), JSON.stringify(config));
    await categoryPlugin.executeCommand(
      context({
        plugin: 'api',
        command: 'add',
        answers: {
          'mentioned services': 'REST',
          'Provide a friendly name': 'shop',
          'Choose a Lambda source': 'projectFunction',
          'Restrict API access?': false,
        },
      }).ctx,
    );
    const update = context({
      plugin: 'api',
      command: 'update',
      answers: {
        'Select from one of the below mentioned services:': 'REST',
        'What would you like to do?': 'add',
        'Provide a path': '/orders',
        'Choose a Lambda source': 'projectFunction',
        'Restrict API access?': false,
      },
    });
    await categoryPlugin.executeCommand(update.ctx);
    assert.equal(update.asked[0], 'Select from one of the below mentioned services:');
    assert.deepEqual(Object.keys(readJson(join(apiDir('shop'), 'cli-inputs.json')).paths), ['/items', '/orders']);
    const remove = context({ plugin: 'api', command: 'remove', answers: { 'Choose the resource you would want to remove': 'shop', 'Are you sure': true } });
    await categoryPlugin.executeCommand(remove.ctx);
    assert.deepEqual(Object.keys(backend().api), ['notes']);
    assert.equal(existsSync(apiDir('shop')), false);
  });

  void it("Amplify's Admin Queries API (auth category) is not updated here, and builds as Amplify's Cognito-authorized stack", async () => {
    project(['AdminQueriesfn']);
    const config = backend();
    config.api = { AdminQueries: { service: 'API Gateway', providerPlugin: 'awscloudformation', dependsOn: [] } };
    writeFileSync(backendFile(), JSON.stringify(config));
    const dir = apiDir('AdminQueries');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cli-inputs.json'),
      JSON.stringify({ version: 1, paths: { '/{proxy+}': { lambdaFunction: 'AdminQueriesfn', permissions: { setting: 'private', auth: ALL } } } }),
    );
    await assert.rejects(
      categoryPlugin.executeCommand(context({ plugin: 'api', command: 'update' }).ctx),
      (e: unknown) => isUserError(e) && /forte update auth/.test(e.message),
    );
    // Built as Amplify's generateAdminQueriesStack: /{proxy+} only, the user pool's token (scope
    // aws.cognito.signin.user.admin) instead of SigV4, and no role policies.
    const built = await categoryPlugin.build!(context({ plugin: 'api', command: 'push' }).ctx, {
      category: 'api',
      resourceName: 'AdminQueries',
      service: 'API Gateway',
      dir,
    });
    const t = templateSchema.parse(built.template) as any;
    const body = t.Resources.AdminQueries.Properties.Body;
    assert.deepEqual(Object.keys(body.paths), ['/{proxy+}']);
    assert.deepEqual(body.paths['/{proxy+}']['x-amazon-apigateway-any-method'].security, [{ Cognito: ['aws.cognito.signin.user.admin'] }]);
    assert.equal(body.paths['/{proxy+}']['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'].contentHandling, 'CONVERT_TO_TEXT');
    assert.equal(body.securityDefinitions.Cognito['x-amazon-apigateway-authtype'], 'cognito_user_pools');
    assert.deepEqual(body.securityDefinitions.Cognito['x-amazon-apigateway-authorizer'].providerARNs[0]['Fn::Join'][1].at(-1), {
      Ref: 'authmyappauthUserPoolId',
    });
    assert.equal(body.securityDefinitions.sigv4, undefined);
    assert.deepEqual(Object.keys(t.Parameters), ['authmyappauthUserPoolId', 'functionAdminQueriesfnName', 'functionAdminQueriesfnArn', 'env']);
    assert.ok(t.Resources.AdminQueriesAPIGWPolicyForLambda);
    assert.deepEqual(
      Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::IAM::Policy'),
      [],
    );
    assert.deepEqual(Object.keys(t.Outputs), ['RootUrl', 'ApiName', 'ApiId']);
  });

  void it('validates paths as Amplify does and names overlapping paths', () => {
    assert.equal(validatePathName('/items'), true);
    assert.equal(validatePathName('/book/{isbn}/page/{pageNum}'), true);
    assert.equal(validatePathName('/'), true);
    assert.equal(validatePathName('/items/'), 'The path must not end with /');
    assert.equal(validatePathName('items'), 'The path must begin with / e.g. /items');
    assert.match(String(validatePathName('/it ems')), /Each path part must use characters/);
    assert.deepEqual(pathOverlap('/items/{id}', ['/items']), { higher: '/items', lower: '/items/{id}' });
    assert.deepEqual(pathOverlap('/book/{year}', ['/book/{isbn}']), { higher: '/book/{isbn}', lower: '/book/{year}' });
    assert.equal(pathOverlap('/orders', ['/items']), undefined);
    assert.deepEqual(crudMethods(ALL), ['/*']);
    assert.deepEqual(crudMethods(['create', 'update']), ['/POST', '/PUT', '/PATCH']);
  });

  void it('headless add: existing and new functions, checked before anything is written', async () => {
    project(['itemsfn']);
    const created: { path?: string; request?: unknown }[] = [];
    const request = {
      version: 1,
      serviceConfiguration: {
        serviceName: 'API Gateway',
        apiName: 'beers',
        paths: {
          '/beer': { newFunction: { name: 'beerLambda', template: 'serverless' }, permissions: { setting: 'private', auth: ALL } },
          '/items': { lambdaFunction: 'itemsfn', permissions: { setting: 'protected', auth: ['read'], guest: ['read'] } },
        },
      },
    };
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }, created).ctx, request);
    assert.deepEqual(created, [{ path: '/beer', request: { name: 'beerLambda', template: 'serverless' } }]);
    assert.deepEqual(readJson(join(apiDir('beers'), 'cli-inputs.json')).paths['/beer'], {
      name: '/beer',
      lambdaFunction: 'beerLambda',
      permissions: { setting: 'private', auth: ALL },
    });

    const bad = async (paths: unknown, pattern: RegExp): Promise<void> => {
      const before = created.length;
      await assert.rejects(
        categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'add', headless: true }, created).ctx, {
          version: 1,
          serviceConfiguration: { serviceName: 'API Gateway', apiName: 'other', paths },
        }),
        (e: unknown) => isUserError(e) && pattern.test(e.message),
      );
      assert.equal(created.length, before, 'no function is created for a refused request');
      assert.equal(existsSync(apiDir('other')), false);
    };
    await bad({ '/x/': { newFunction: {}, permissions: { setting: 'open' } } }, /must not end with \//);
    await bad({ '/x': { newFunction: {}, permissions: { setting: 'private', guest: ['read'] } } }, /grants guests access but is private/);
    await bad({ '/x': { newFunction: {}, permissions: { setting: 'private' } } }, /grants nothing/);
    await bad({ '/x': { lambdaFunction: 'nope', permissions: { setting: 'open' } } }, /function nope, which the project does not have/);
    await bad({ '/x': { newFunction: {}, lambdaFunction: 'itemsfn', permissions: { setting: 'open' } } }, /either lambdaFunction .* or newFunction/);

    // Headless update: add one path, remove another.
    await categoryPlugin.executeHeadlessCommand!(context({ plugin: 'api', command: 'update', headless: true }, created).ctx, {
      version: 1,
      serviceModification: {
        serviceName: 'API Gateway',
        apiName: 'beers',
        paths: { '/orders': { lambdaFunction: 'itemsfn', permissions: { setting: 'open' } } },
        removePaths: ['/items'],
      },
    });
    assert.deepEqual(Object.keys(readJson(join(apiDir('beers'), 'cli-inputs.json')).paths), ['/beer', '/orders']);
  });

  void it("builds Amplify's nested template: the Swagger body, CORS gateway responses, the stage, the permission and the outputs", async () => {
    // fitness-tracker's nutritionapi (written by Amplify): private with all of CRUD for signed-in users and the Admin group.
    project(['lognutrition'], ['Admin']);
    const dir = apiDir('nutritionapi');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cli-inputs.json'),
      JSON.stringify({
        version: 1,
        paths: {
          '/nutrition/log': { name: '/nutrition/log', lambdaFunction: 'lognutrition', permissions: { setting: 'private', auth: ALL, groups: { Admin: ALL } } },
        },
      }),
    );
    const { ctx } = context({ plugin: 'api', command: 'add' });
    const built = await categoryPlugin.build!(ctx, { category: 'api', resourceName: 'nutritionapi', service: 'API Gateway', dir });
    const t = templateSchema.parse(built.template) as any;
    assert.deepEqual(readJson(join(dir, 'build/nutritionapi-cloudformation-template.json')), built.template);
    const api = t.Resources.nutritionapi;
    assert.equal(api.Type, 'AWS::ApiGateway::RestApi');
    assert.equal(api.Properties.FailOnWarnings, true);
    assert.deepEqual(Object.keys(api.Properties.Body.paths), ['/nutrition/log', '/nutrition/log/{proxy+}']);
    // The path item exactly as Amplify's real output (amplify-migration-apps/fitness-tracker nutritionapi).
    const item = api.Properties.Body.paths['/nutrition/log'];
    assert.deepEqual(item['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'], {
      responses: { default: { statusCode: '200' } },
      uri: {
        'Fn::Join': [
          '',
          ['arn:aws:apigateway:', { Ref: 'AWS::Region' }, ':lambda:path/2015-03-31/functions/', { Ref: 'functionlognutritionArn' }, '/invocations'],
        ],
      },
      passthroughBehavior: 'when_no_match',
      httpMethod: 'POST',
      type: 'aws_proxy',
    });
    assert.deepEqual(item['x-amazon-apigateway-any-method'].security, [{ sigv4: [] }]);
    assert.equal(item.options['x-amazon-apigateway-integration'].type, 'mock');
    assert.equal(item.options.security, undefined);
    assert.deepEqual(api.Properties.Body.securityDefinitions, {
      sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
    });
    // The whole Swagger body, as Amplify's real output for this API (both P and P/{proxy+} carry the same item).
    const realItem = {
      options: {
        consumes: ['application/json'],
        produces: ['application/json'],
        responses: {
          200: {
            description: '200 response',
            headers: {
              'Access-Control-Allow-Origin': { type: 'string' },
              'Access-Control-Allow-Methods': { type: 'string' },
              'Access-Control-Allow-Headers': { type: 'string' },
            },
          },
        },
        'x-amazon-apigateway-integration': {
          responses: {
            default: {
              statusCode: '200',
              responseParameters: {
                'method.response.header.Access-Control-Allow-Methods': "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'",
                'method.response.header.Access-Control-Allow-Headers':
                  "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
                'method.response.header.Access-Control-Allow-Origin': "'*'",
              },
            },
          },
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          passthroughBehavior: 'when_no_match',
          type: 'mock',
        },
      },
      'x-amazon-apigateway-any-method': {
        consumes: ['application/json'],
        produces: ['application/json'],
        parameters: [{ in: 'body', name: 'RequestSchema', required: false, schema: { $ref: '#/definitions/RequestSchema' } }],
        responses: { 200: { description: '200 response', schema: { $ref: '#/definitions/ResponseSchema' } } },
        'x-amazon-apigateway-integration': item['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'],
        security: [{ sigv4: [] }],
      },
    };
    assert.deepEqual(JSON.parse(JSON.stringify(api.Properties.Body)), {
      swagger: '2.0',
      info: { version: '2018-05-24T17:52:00Z', title: 'nutritionapi' },
      host: { 'Fn::Join': ['', ['apigateway.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      basePath: { 'Fn::If': ['ShouldNotCreateEnvResources', '/Prod', { 'Fn::Join': ['', ['/', { Ref: 'env' }]] }] },
      schemes: ['https'],
      paths: { '/nutrition/log': realItem, '/nutrition/log/{proxy+}': realItem },
      securityDefinitions: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
      definitions: {
        RequestSchema: { type: 'object', required: ['request'], properties: { request: { type: 'string' } }, title: 'Request Schema' },
        ResponseSchema: { type: 'object', required: ['response'], properties: { response: { type: 'string' } }, title: 'Response Schema' },
      },
    });
    assert.deepEqual(t.Outputs.RootUrl.Value, {
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'nutritionapi' },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.amazonaws.com/',
          { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] },
        ],
      ],
    });
    const byType = (type: string): [string, any][] => Object.entries(t.Resources).filter(([, r]: [string, any]) => r.Type === type) as [string, any][];
    const responses = byType('AWS::ApiGateway::GatewayResponse');
    assert.deepEqual(responses.map(([, r]) => r.Properties.ResponseType).sort(), ['DEFAULT_4XX', 'DEFAULT_5XX']);
    assert.equal(responses[0]![1].Properties.ResponseParameters['gatewayresponse.header.Access-Control-Expose-Headers'], "'Date,X-Amzn-ErrorType'");
    const [[deploymentId, deployment]] = byType('AWS::ApiGateway::Deployment') as [[string, any]];
    assert.match(deploymentId, /^DeploymentAPIGWnutritionapi[0-9a-f]{8}$/);
    assert.deepEqual(deployment.Properties.StageName, { 'Fn::If': ['ShouldNotCreateEnvResources', 'Prod', { Ref: 'env' }] });
    assert.deepEqual(
      deployment.DependsOn,
      responses.map(([id]) => id),
    );
    assert.deepEqual(t.Resources.functionlognutritionPermissionnutritionapi.Properties, {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'functionlognutritionName' },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'nutritionapi' }, '/*/*/*']] },
    });
    assert.deepEqual(Object.keys(t.Outputs), ['RootUrl', 'ApiName', 'ApiId']);
    assert.equal(t.Outputs.ApiName.Value, 'nutritionapi');
    assert.deepEqual(t.Outputs.ApiId.Value, { Ref: 'nutritionapi' });

    // The group policy as Amplify names it, on <UserPoolId>-AdminGroupRole, each method on the path and below it.
    const group = t.Resources.AdminGroupnutritionlogPolicy.Properties;
    assert.equal(group.PolicyName, 'nutritionapi-nutritionlog-Admin-group-policy');
    assert.deepEqual(group.Roles, [{ 'Fn::Join': ['-', [{ Ref: 'authmyappauthUserPoolId' }, 'AdminGroupRole']] }]);
    const tail = (arn: any): string => arn['Fn::Join'][1].at(-1);
    assert.deepEqual(group.PolicyDocument.Statement[0].Resource.map(tail), [
      '/POST/nutrition/log',
      '/GET/nutrition/log',
      '/PUT/nutrition/log',
      '/PATCH/nutrition/log',
      '/DELETE/nutrition/log',
      '/POST/nutrition/log/*',
      '/GET/nutrition/log/*',
      '/PUT/nutrition/log/*',
      '/PATCH/nutrition/log/*',
      '/DELETE/nutrition/log/*',
    ]);
    // APIGatewayAuthStack's statement (all of CRUD = any method), on the root stack's authenticated role.
    const auth = t.Resources.PolicyAPIGWAuth1.Properties;
    assert.deepEqual(auth.Roles, [{ Ref: 'authRoleName' }]);
    assert.deepEqual(auth.PolicyDocument.Statement[0].Action, ['execute-api:Invoke']);
    assert.deepEqual(auth.PolicyDocument.Statement[0].Resource.map(tail), ['/*/nutrition/log/*', '/*/nutrition/log']);
    assert.equal(t.Resources.PolicyAPIGWUnauth1, undefined);
    assert.deepEqual(Object.keys(t.Parameters).sort(), [
      'authRoleName',
      'authmyappauthUserPoolId',
      'authuserPoolGroupsAdminGroupRole',
      'env',
      'functionlognutritionArn',
      'functionlognutritionName',
    ]);

    // The same API builds the same template (the push sees no change); another path deploys the stage again.
    const again = await categoryPlugin.build!(ctx, { category: 'api', resourceName: 'nutritionapi', service: 'API Gateway', dir });
    assert.deepEqual(again.template, built.template);
    const changed = restTemplate('nutritionapi', {
      version: 1,
      paths: { '/nutrition/log': { lambdaFunction: 'lognutrition', permissions: { setting: 'open' } } },
    });
    assert.equal(Object.keys(changed.Resources).includes(deploymentId), false);
    assert.equal(changed.Resources.PolicyAPIGWAuth1, undefined);
    assert.equal((changed.Resources.nutritionapi!.Properties as any).Body.paths['/nutrition/log']['x-amazon-apigateway-any-method'].security, undefined);
  });

  void it('guest policies name each method, with {param} segments as *; an Amplify api-params.json (older projects) builds the same', () => {
    const inputs = {
      version: 1 as const,
      paths: {
        '/items/{id}': { lambdaFunction: 'fn', permissions: { setting: 'protected' as const, auth: ['read', 'update'] as any, guest: ['read'] as any } },
      },
    };
    const t = restTemplate('shop', inputs) as any;
    const tail = (arn: any): string => arn['Fn::Join'][1].at(-1);
    assert.deepEqual(t.Resources.PolicyAPIGWAuth1.Properties.PolicyDocument.Statement[0].Resource.map(tail), [
      '/GET/items/*/*',
      '/GET/items/*',
      '/PUT/items/*/*',
      '/PUT/items/*',
      '/PATCH/items/*/*',
      '/PATCH/items/*',
    ]);
    assert.deepEqual(t.Resources.PolicyAPIGWUnauth1.Properties.Roles, [{ Ref: 'unauthRoleName' }]);
    assert.deepEqual(t.Resources.PolicyAPIGWUnauth1.Properties.PolicyDocument.Statement[0].Resource.map(tail), ['/GET/items/*/*', '/GET/items/*']);

    project(['fn']);
    const dir = apiDir('shop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'api-params.json'),
      JSON.stringify({ paths: [{ name: '/items/{id}', lambdaFunction: 'fn', privacy: { protected: true, auth: ['/GET', '/PUT', '/PATCH'], unauth: 'r' } }] }),
    );
    const { ctx } = context({ plugin: 'api', command: 'add' });
    return categoryPlugin.build!(ctx, { category: 'api', resourceName: 'shop', service: 'API Gateway', dir }).then((built) =>
      assert.deepEqual(built.template, t),
    );
  });
});
