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
