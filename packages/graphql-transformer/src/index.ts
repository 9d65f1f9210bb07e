export { transform } from './transform.js';
export type { TransformResult } from './transform.js';
export { isSchemaError, SchemaError } from './errors.js';
export { DEFAULT_TRANSFORM_PARAMETERS } from './config.js';
export type {
  AppSyncAuthConfiguration,
  AuthModeConfig,
  AuthenticationType,
  ResolverConfig,
  SyncConfig,
  TransformInput,
  TransformOptions,
  TransformParameters,
} from './config.js';
export type { ModelIntrospection } from './introspection.js';
export { V1_ONLY_DIRECTIVES, migrateV1Schemas, usesV1Directives, v1MigrationBlockers, writtenForV2 } from './migrate-v1.js';
export type { V1DefaultAuthType, V1Migration, V1SchemaFile } from './migrate-v1.js';
