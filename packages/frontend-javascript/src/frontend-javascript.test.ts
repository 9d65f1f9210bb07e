import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type AmplifyMeta, type FrontendPlugin, type PluginContext, type Project } from '@forte/protocol';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import * as plugin from './index.js';

const frontend: FrontendPlugin = plugin;

function fakeContext(
  root: string,
  options: { javascript?: unknown; yes?: boolean; answers?: Record<string, string> } = {},
): { ctx: PluginContext; asked: string[] } {
  const asked: string[] = [];
  const project = {
    root,
    amplifyDir: join(root, 'amplify'),
    backendDir: join(root, 'amplify/backend'),
    currentCloudBackendDir: join(root, 'amplify/#current-cloud-backend'),
    envName: 'dev',
    config: { projectName: 'myapp', version: '3.1', frontend: 'javascript', providers: ['awscloudformation'], javascript: options.javascript },
    readBackendConfig: () => ({}),
    writeBackendConfig: () => undefined,
    readMeta: () => ({}),
    writeMeta: () => undefined,
    resourceDir: (c: string, r: string) => join(root, 'amplify/backend', c, r),
  } as unknown as Project;
  const answer = (message: string): string | undefined => {
    asked.push(message);
    const key = Object.keys(options.answers ?? {}).find((k) => message.includes(k));
    return options.yes || key === undefined ? undefined : options.answers![key];
  };
  const ctx = {
    input: { argv: [], plugin: undefined, command: 'init', subCommands: [], options: {} },
    print: { info: () => undefined, success: () => undefined, warn: () => undefined, error: () => undefined, table: () => undefined },
    prompt: {
      yes: options.yes ?? false,
      input: async (q: { message: string; default?: string }) => answer(q.message) ?? q.default ?? '',
      confirm: async (q: { message: string; default?: boolean }) => q.default ?? false,
      select: async (q: { message: string; default?: string; choices: { value: string }[] }) => answer(q.message) ?? q.default ?? q.choices[0]!.value,
    },
    cwd: root,
    project: () => project,
  } as unknown as PluginContext;
  return { ctx, asked };
}

const region = 'us-east-1';
const providers = { awscloudformation: { Region: region, DeploymentBucketName: 'b', StackName: 's', AmplifyAppId: 'app1' } };

const fullMeta = {
  providers,
  auth: {
    myappauth: {
      service: 'Cognito',
      frontendAuthConfig: {
        socialProviders: [],
        usernameAttributes: ['EMAIL'],
        signupAttributes: ['EMAIL'],
        passwordProtectionSettings: { passwordPolicyMinLength: 8, passwordPolicyCharacters: ['REQUIRES_NUMBERS'] },
        mfaConfiguration: 'OPTIONAL',
        mfaTypes: ['TOTP'],
        verificationMechanisms: ['EMAIL'],
      },
      output: { UserPoolId: 'us-east-1_Abc', AppClientIDWeb: 'webclient', IdentityPoolId: 'us-east-1:1111' },
    },
  },
  api: {
    myapi: {
      service: 'AppSync',
      output: {
        GraphQLAPIEndpointOutput: 'http://127.0.0.1:20002/graphql/abc',
        GraphQLAPIKeyOutput: 'da2-key',
        authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [{ authenticationType: 'AWS_IAM' }] },
      },
    },
    rest: { service: 'API Gateway', output: { ApiName: 'rest', RootUrl: 'http://127.0.0.1:20002/restapis/x/dev', ApiId: 'x' } },
  },
  // Amplify's frontend config takes the first S3 resource (a project has one; an imported bucket may follow it).
  storage: {
    files: { service: 'S3', output: { BucketName: 'files-dev', Region: region } },
    more: { service: 'S3', output: { BucketName: 'more-dev', Region: region } },
  },
  hosting: {
    S3AndCloudFront: {
      service: 'S3AndCloudFront',
      output: {
        Region: region,
        HostingBucketName: 'site-dev',
        WebsiteURL: 'http://myapp-dev.localhost:20002/',
        S3BucketSecureURL: 'http://myapp-dev.localhost:20002/',
      },
    },
  },
  function: { notpushed: { service: 'Lambda' } },
} as unknown as AmplifyMeta;

void describe('frontend-javascript', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-frontend-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships its manifest', () => {
    const manifest = JSON.parse(readFileSync(new URL('../forte-plugin.json', import.meta.url), 'utf8'));
    assert.deepEqual(manifest, { name: 'javascript', type: 'frontend', aliases: ['js'], commands: [] });
  });

  void it("writes aws-exports.js in Amplify's template with only what exists", async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'react', config: { SourceDir: 'src', DistributionDir: 'build' } } });
    const written = await frontend.createFrontendConfigs(ctx, { providers } as unknown as AmplifyMeta);
    assert.deepEqual(written, [join(root, 'src/aws-exports.js'), join(root, 'amplify_outputs.json')]);
    assert.equal(
      readFileSync(join(root, 'src/aws-exports.js'), 'utf8'),
      '/* eslint-disable */\n// WARNING: DO NOT EDIT. This file is automatically generated by AWS Amplify. It will be overwritten.\n\nconst awsmobile = {\n    "aws_project_region": "us-east-1"\n};\n\nexport default awsmobile;\n',
    );
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8')), { version: '1.4' });
  });

  void it("lists the storage category's NoSQL tables as Amplify does (aws_dynamodb_*)", async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'react', config: { SourceDir: 'src' } } });
    const table = (name: string) => ({
      service: 'DynamoDB',
      output: { Name: `${name}-dev`, Arn: `arn:aws:dynamodb:${region}:1:table/${name}-dev`, Region: region },
    });
    await frontend.createFrontendConfigs(ctx, {
      providers,
      storage: { beer: table('beer'), notes: table('notes'), draft: { service: 'DynamoDB' } },
    } as unknown as AmplifyMeta);
    const text = readFileSync(join(root, 'src/aws-exports.js'), 'utf8');
    assert.deepEqual(JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)), {
      aws_project_region: region,
      aws_dynamodb_all_tables_region: region,
      aws_dynamodb_table_schemas: [
        { tableName: 'beer-dev', region },
        { tableName: 'notes-dev', region },
      ],
    });
  });

  void it("gives aws-amplify the hosted UI's address as the OAuth domain, in aws-exports.js and amplify_outputs.json alike", async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'react', config: { SourceDir: 'src' } } });
    const metadata = {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: ['http://localhost:3000/', 'myapp://'],
      LogoutURLs: ['http://localhost:3000/'],
    };
    const auth = (fullMeta as unknown as { auth: { myappauth: { output: Record<string, unknown> } } }).auth.myappauth;
    const output = {
      ...auth.output,
      HostedUIDomain: 'shop-dev',
      OAuthMetadata: JSON.stringify(metadata),
      HostedUIAddress: '127.0.0.1:20443/hosted-ui/shop-dev',
    };
    await frontend.createFrontendConfigs(ctx, { providers, auth: { myappauth: { ...auth, output } } } as unknown as AmplifyMeta);
    const text = readFileSync(join(root, 'src/aws-exports.js'), 'utf8');
    const exported = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;
    assert.deepEqual(exported.oauth, {
      domain: '127.0.0.1:20443/hosted-ui/shop-dev',
      scope: ['openid', 'email'],
      redirectSignIn: 'http://localhost:3000/,myapp://',
      redirectSignOut: 'http://localhost:3000/',
      responseType: 'code',
    });
    const outputs = JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8')) as Record<string, unknown>;
    // Both read by aws-amplify as the same OAuth settings.
    for (const config of [exported, outputs]) {
      const { providers: social = [], ...oauth } = parseAmplifyConfig(config).Auth?.Cognito.loginWith?.oauth ?? {};
      assert.deepEqual(social, []);
      assert.deepEqual(oauth, {
        domain: '127.0.0.1:20443/hosted-ui/shop-dev',
        scopes: ['openid', 'email'],
        redirectSignIn: ['http://localhost:3000/', 'myapp://'],
        redirectSignOut: ['http://localhost:3000/'],
        responseType: 'code',
      });
    }
  });

  void it('maps auth, api, REST, storage and S3AndCloudFront outputs', async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'vue', config: { SourceDir: 'app/src' } } });
    await frontend.createFrontendConfigs(ctx, fullMeta);
    const text = readFileSync(join(root, 'app/src/aws-exports.js'), 'utf8');
    const config = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
    assert.deepEqual(config, {
      aws_project_region: region,
      aws_cognito_identity_pool_id: 'us-east-1:1111',
      aws_cognito_region: region,
      aws_user_pools_id: 'us-east-1_Abc',
      aws_user_pools_web_client_id: 'webclient',
      oauth: {},
      aws_cognito_username_attributes: ['EMAIL'],
      aws_cognito_social_providers: [],
      aws_cognito_signup_attributes: ['EMAIL'],
      aws_cognito_mfa_configuration: 'OPTIONAL',
      aws_cognito_mfa_types: ['TOTP'],
      aws_cognito_password_protection_settings: { passwordPolicyMinLength: 8, passwordPolicyCharacters: ['REQUIRES_NUMBERS'] },
      aws_cognito_verification_mechanisms: ['EMAIL'],
      aws_appsync_graphqlEndpoint: 'http://127.0.0.1:20002/graphql/abc',
      aws_appsync_region: region,
      aws_appsync_authenticationType: 'API_KEY',
      aws_appsync_apiKey: 'da2-key',
      aws_cloud_logic_custom: [{ name: 'rest', endpoint: 'http://127.0.0.1:20002/restapis/x/dev', region }],
      aws_user_files_s3_bucket: 'files-dev',
      aws_user_files_s3_bucket_region: region,
      aws_content_delivery_bucket: 'site-dev',
      aws_content_delivery_bucket_region: region,
      aws_content_delivery_url: 'http://myapp-dev.localhost:20002/',
    });
    const outputs = JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8'));
    assert.deepEqual(outputs, {
      version: '1.4',
      auth: {
        aws_region: region,
        user_pool_id: 'us-east-1_Abc',
        user_pool_client_id: 'webclient',
        identity_pool_id: 'us-east-1:1111',
        unauthenticated_identities_enabled: true,
        username_attributes: ['email'],
        standard_required_attributes: ['email'],
        user_verification_types: ['email'],
        mfa_configuration: 'OPTIONAL',
        mfa_methods: ['TOTP'],
        password_policy: { min_length: 8, require_lowercase: false, require_uppercase: false, require_numbers: true, require_symbols: false },
      },
      data: {
        url: 'http://127.0.0.1:20002/graphql/abc',
        aws_region: region,
        default_authorization_type: 'API_KEY',
        authorization_types: ['AWS_IAM'],
        api_key: 'da2-key',
      },
      storage: { aws_region: region, bucket_name: 'files-dev' },
      // REST APIs as Amplify's Gen 2 documentation adds them (amplify_outputs.json has no REST section).
      custom: { API: { rest: { endpoint: 'http://127.0.0.1:20002/restapis/x/dev', region, apiName: 'rest' } } },
    });
  });

  void it("writes guest access, groups and the cloud endpoint that Forte's auth category records", async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'react', config: { SourceDir: 'src' } } });
    const auth = (fullMeta as any).auth.myappauth;
    const meta = {
      providers,
      auth: {
        myappauth: {
          ...auth,
          frontendAuthConfig: { ...auth.frontendAuthConfig, allowUnauthenticatedIdentities: false, userPoolGroups: ['Admin', 'Staff'] },
          output: { ...auth.output, ProviderURL: 'http://127.0.0.1:20002/us-east-1_Abc' },
        },
      },
    } as unknown as AmplifyMeta;
    await frontend.createFrontendConfigs(ctx, meta);
    const outputs = JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8'));
    assert.equal(outputs.auth.unauthenticated_identities_enabled, false);
    assert.deepEqual(outputs.auth.groups, [{ Admin: { precedence: 0 } }, { Staff: { precedence: 1 } }]);
    assert.deepEqual(outputs.custom, { forte: { endpoint: 'http://127.0.0.1:20002' } });
  });

  void it('gives aws-amplify the GraphQL API from both files: endpoint, region, default mode, key and the models', async () => {
    const { ctx } = fakeContext(root, { javascript: { framework: 'react', config: { SourceDir: 'src' } } });
    const introspection = {
      version: 1,
      models: {
        Note: {
          name: 'Note',
          pluralName: 'Notes',
          syncable: true,
          fields: { id: { name: 'id', isArray: false, type: 'ID', isRequired: true, attributes: [] } },
          attributes: [{ type: 'model', properties: {} }],
          primaryKeyInfo: { isCustomPrimaryKey: false, primaryKeyFieldName: 'id', sortKeyFieldNames: [] },
        },
      },
      enums: {},
      nonModels: {},
    };
    mkdirSync(join(root, 'amplify/backend/api/notes/build'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/api/notes/build/model-introspection.json'), JSON.stringify(introspection));
    const url = 'http://127.0.0.1:20002/graphql/abcdefghijklmnopqrstuvwxyz';
    const meta = {
      providers,
      api: {
        notes: {
          service: 'AppSync',
          output: {
            authConfig: {
              defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
              additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
            },
            GraphQLAPIIdOutput: 'abcdefghijklmnopqrstuvwxyz',
            GraphQLAPIEndpointOutput: url,
            GraphQLAPIKeyOutput: 'da2-key',
          },
        },
      },
    } as unknown as AmplifyMeta;
    await frontend.createFrontendConfigs(ctx, meta);

    const outputs = JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8'));
    assert.deepEqual(outputs.data, {
      url,
      aws_region: region,
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['API_KEY', 'AWS_IAM'],
      api_key: 'da2-key',
      model_introspection: introspection,
    });
    assert.deepEqual(outputs.custom, { forte: { endpoint: 'http://127.0.0.1:20002' } }, 'without auth, the cloud is named by the API URL');
    const fromOutputs = parseAmplifyConfig(outputs).API?.GraphQL;
    assert.deepEqual(fromOutputs, { endpoint: url, region, defaultAuthMode: 'userPool', apiKey: 'da2-key', modelIntrospection: introspection });

    const text = readFileSync(join(root, 'src/aws-exports.js'), 'utf8');
    const exported = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
    assert.deepEqual(exported, {
      aws_project_region: region,
      aws_appsync_graphqlEndpoint: url,
      aws_appsync_region: region,
      aws_appsync_authenticationType: 'AMAZON_COGNITO_USER_POOLS',
      aws_appsync_apiKey: 'da2-key',
    });
    const fromExports = parseAmplifyConfig(exported).API?.GraphQL;
    assert.equal(fromExports?.endpoint, url);
    assert.equal(fromExports?.defaultAuthMode, 'userPool');
    assert.equal(fromExports?.apiKey, 'da2-key');

    // Not compiled in this folder (a fresh pull): the outputs lack the models rather than failing.
    rmSync(join(root, 'amplify/backend/api/notes/build'), { recursive: true });
    await frontend.createFrontendConfigs(ctx, meta);
    assert.equal(JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8')).data.model_introspection, undefined);
  });

  void it('asks the framework questions, detecting the framework for --yes', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ dependencies: { react: '^18', 'react-dom': '^18' } }));
    const yes = await frontend.init(fakeContext(root, { yes: true }).ctx);
    assert.deepEqual(yes, {
      frontend: 'javascript',
      framework: 'react',
      config: { SourceDir: 'src', DistributionDir: 'build', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
    });
    const asked = fakeContext(root, { answers: { framework: 'ionic', 'Distribution Directory': 'out' } });
    const chosen = await frontend.init(asked.ctx);
    assert.equal(chosen.framework, 'ionic');
    assert.deepEqual(chosen.config, { SourceDir: 'src', DistributionDir: 'out', BuildCommand: 'npm run-script build', StartCommand: 'ionic serve' });
    assert.equal(asked.asked.length, 5);
    const headless = await frontend.init(fakeContext(root).ctx, { frontend: 'javascript', framework: 'angular', config: { DistributionDir: 'dist/app' } });
    assert.deepEqual(headless.config, { SourceDir: 'src', DistributionDir: 'dist/app', BuildCommand: 'npm run-script build', StartCommand: 'ng serve' });
    await assert.rejects(frontend.init(fakeContext(root).ctx, { framework: 'svelte' }), (e: unknown) => isUserError(e) && /svelte/.test(e.message));
    rmSync(join(root, 'package.json'));
    assert.equal((await frontend.init(fakeContext(root, { yes: true }).ctx)).framework, 'none');
  });

  void it('init with useDefaults asks nothing and takes the detected framework; describeSettings gives the summary lines', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ dependencies: { vue: '^3' } }));
    const quiet = fakeContext(root);
    const settings = await frontend.init(quiet.ctx, undefined, { useDefaults: true });
    assert.deepEqual(quiet.asked, []);
    assert.deepEqual(settings, {
      frontend: 'javascript',
      framework: 'vue',
      config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script serve' },
    });
    assert.deepEqual(plugin.describeSettings(settings), [
      'App type: javascript',
      'Javascript framework: vue',
      'Source Directory Path: src',
      'Distribution Directory Path: dist',
      'Build Command: npm run-script build',
      'Start Command: npm run-script serve',
    ]);
    rmSync(join(root, 'package.json'));
  });

  void it('runs the build command and names it when it fails', async () => {
    const ok = fakeContext(root, {
      javascript: { framework: 'none', config: { BuildCommand: "node -e \"require('fs').writeFileSync('built.txt', 'yes')\"", DistributionDir: 'out' } },
    });
    await frontend.build(ok.ctx);
    assert.equal(readFileSync(join(root, 'built.txt'), 'utf8'), 'yes', 'the command runs in the project root');
    assert.equal(frontend.distributionDir(ok.ctx), join(root, 'out'));
    const failing = fakeContext(root, { javascript: { framework: 'none', config: { BuildCommand: 'node -e "process.exit(3)"' } } });
    await assert.rejects(
      frontend.build(failing.ctx),
      (e: unknown) => isUserError(e) && e.message.includes('node -e "process.exit(3)"') && /exit code 3/.test(e.message),
    );
    assert.equal(existsSync(join(root, 'out')), false);
  });
});
