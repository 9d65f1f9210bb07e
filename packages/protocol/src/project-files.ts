import { z } from 'zod';

/**
 * Shapes of the Amplify Gen 1 project files Forte reads and writes (amplify/ folder), as in the Amplify
 * CLI. Unknown keys are kept: an existing Gen 1 project round-trips unchanged.
 */
export const PROJECT_CONFIG_VERSION = '3.1';

export const projectConfigSchema = z
  .object({
    projectName: z.string(),
    version: z.string(),
    frontend: z.string(),
    providers: z.array(z.string()),
  })
  .passthrough();
export type ProjectConfig = z.infer<typeof projectConfigSchema> & Record<string, unknown>;

export const localEnvInfoSchema = z
  .object({
    projectPath: z.string(),
    defaultEditor: z.string().optional(),
    envName: z.string(),
    noUpdateBackend: z.boolean().optional(),
  })
  .passthrough();
export type LocalEnvInfo = z.infer<typeof localEnvInfoSchema>;

/** Provider name Forte writes and accepts (Amplify's; kept so existing projects work unchanged). */
export const PROVIDER_NAME = 'awscloudformation';

/** The root stack outputs of an environment, as in team-provider-info and amplify-meta `providers`. */
export const providerEnvInfoSchema = z
  .object({
    AuthRoleName: z.string().optional(),
    UnauthRoleName: z.string().optional(),
    AuthRoleArn: z.string().optional(),
    UnauthRoleArn: z.string().optional(),
    Region: z.string(),
    DeploymentBucketName: z.string(),
    StackName: z.string(),
    StackId: z.string().optional(),
    AmplifyAppId: z.string(),
  })
  .passthrough();
export type ProviderEnvInfo = z.infer<typeof providerEnvInfoSchema>;

export const teamProviderInfoSchema = z.record(
  z.string(),
  z
    .object({
      awscloudformation: providerEnvInfoSchema.optional(),
      categories: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).optional(),
    })
    .passthrough(),
);
export type TeamProviderInfo = z.infer<typeof teamProviderInfoSchema>;

export const dependsOnSchema = z.array(
  z
    .object({
      category: z.string(),
      resourceName: z.string(),
      attributes: z.array(z.string()).default([]),
    })
    .passthrough(),
);

export const backendResourceSchema = z
  .object({
    service: z.string(),
    providerPlugin: z.string().optional(),
    dependsOn: dependsOnSchema.optional(),
    build: z.boolean().optional(),
    serviceType: z.string().optional(),
  })
  .passthrough();
export type BackendResource = z.infer<typeof backendResourceSchema> & Record<string, unknown>;

/** backend-config.json: `{ <category>: { <resourceName>: BackendResource } }` (+ `parameters`). */
export const backendConfigSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
export type BackendConfig = Record<string, Record<string, BackendResource>>;

export const metaResourceSchema = backendResourceSchema.extend({
  providerMetadata: z.object({ s3TemplateURL: z.string().optional(), logicalId: z.string() }).passthrough().optional(),
  lastPushTimeStamp: z.string().optional(),
  lastPushDirHash: z.string().optional(),
  output: z.record(z.string(), z.unknown()).optional(),
});
export type MetaResource = z.infer<typeof metaResourceSchema> & Record<string, unknown>;

/** amplify-meta.json: `{ providers: { awscloudformation: ProviderEnvInfo }, <category>: { <name>: MetaResource } }`. */
export type AmplifyMeta = { providers?: { awscloudformation?: ProviderEnvInfo } } & Record<string, Record<string, unknown>>;

/** amplify-meta.json as read without interpretation: `{ <category or providers>: { <name>: object } }`. */
export const amplifyMetaSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
/** amplify/.config/local-aws-info.json: `{ <env>: {configLevel, useProfile, profileName} }`. */
export const localAwsInfoSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
/** amplify/backend/tags.json. */
export const tagsSchema = z.array(z.object({ Key: z.string(), Value: z.string() }).passthrough());

export const GITIGNORE_BEGIN = '#amplify-do-not-edit-begin';
export const GITIGNORE_END = '#amplify-do-not-edit-end';
export const GITIGNORE_LINES = [
  'amplify/\\#current-cloud-backend',
  'amplify/.config/local-*',
  'amplify/logs',
  'amplify/mock-data',
  'amplify/mock-api-resources',
  'amplify/backend/amplify-meta.json',
  'amplify/backend/.temp',
  'build/',
  'dist/',
  'node_modules/',
  'aws-exports.js',
  'awsconfiguration.json',
  'amplifyconfiguration.json',
  'amplifyconfiguration.dart',
  'amplify-build-config.json',
  'amplify-gradle-config.json',
  'amplifytools.xcconfig',
  '.secret-*',
  '**.sample',
];

/**
 * The per-machine file of values a repository never holds (social sign-in client secrets): Amplify's
 * `~/.aws/amplify/deployment-secrets.json` shape, one entry per root stack id, then environment, category,
 * resource and key. Forte keeps it in `$FORTE_HOME/deployment-secrets.json`.
 */
export const deploymentSecretsSchema = z.object({
  appSecrets: z.array(
    z.object({
      rootStackId: z.string(),
      environments: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.record(z.string(), z.string())))),
    }),
  ),
});
export type DeploymentSecrets = z.infer<typeof deploymentSecretsSchema>;
