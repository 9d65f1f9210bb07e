/**
 * Forte Cloud: one Node process speaking AWS wire protocols. `createCloud` starts one; the kernel types
 * are what services (and tests) code against.
 */
export {
  BUILT_IN_SERVICES,
  checkNats,
  checkPostgres,
  dropPostgresSchema,
  createCloud,
  DEFAULT_PORT,
  PortInUseError,
  type Cloud,
  type CloudOptions,
} from './server.js';
export { createAppSyncService, type AppSyncOptions } from './services/appsync/index.js';
export { createCognitoIdentityService } from './services/cognito-identity/index.js';
export { createCognitoIdpService, type CognitoIdpOptions } from './services/cognito-idp/index.js';
export type { CognitoLimits, CognitoLimitSettings } from './services/cognito-idp/cognito-limits.js';
export type { GraphQLLimits } from './services/appsync/graphql-limits.js';
export { createControlService, type ControlOptions } from './services/control/index.js';
export { createDynamoDbService } from './services/dynamodb/index.js';
export { createHostingService, type HostingOptions } from './services/hosting/index.js';
export { createIamService } from './services/iam/index.js';
export { createLambdaService, type LambdaOptions } from './services/lambda/index.js';
export { createEventsService, type EventsOptions } from './services/events/index.js';
export { createApiGatewayService } from './services/apigateway/index.js';
export type { FunctionLogLine, FunctionRuntime, FunctionRuntimeOptions, FunctionSpec, InvokeOptions, InvokeOutcome } from './services/lambda/runtime/types.js';
export { createS3Service } from './services/s3/index.js';
export { createRequestLogService, type RequestLogOptions } from './services/request-log/index.js';
export { createSsmService } from './services/ssm/index.js';
export { createKinesisService } from './services/kinesis/index.js';
export {
  CREDENTIAL_PROVIDERS,
  ENVIRONMENT_CLEANUPS,
  FUNCTIONS,
  IDENTITY_TOKEN_VERIFIERS,
  OBJECTS,
  OUTPUT_URL_REWRITES,
  POLICY_SOURCES,
  TABLES,
  TRUST_POLICY_SOURCES,
  USER_TOKENS,
  type FunctionInvocationResult,
  type FunctionInvoker,
  type ObjectRead,
  type ObjectReader,
  type IssuedUserTokens,
  type UserTokenIssuer,
} from './kernel/capabilities.js';
export {
  CapabilityError,
  defineCapability,
  defineCapabilityList,
  provide,
  type AnyCapability,
  type Capability,
  type ProvidedCapability,
} from './kernel/capability.js';
export { verifyIdentityToken } from './kernel/identity-tokens.js';
export {
  type CloudConfig,
  type CredentialProvider,
  type ErrorFormat,
  type JsonApiDescription,
  type Kernel,
  type PolicyDocument,
  type PolicyStatement,
  type Principal,
  type RequestContext,
  type ResolvedCredentials,
  type ResourceContext,
  type ResourceHandler,
  type ResourceResult,
  type Route,
  type RouteOrder,
  type Service,
  type ServiceFactory,
  type SigningInfo,
} from './kernel/types.js';
export type { KernelRuntime } from './kernel/create-kernel.js';
export type { Logger } from './kernel/logger.js';
export { ADMIN_CREDENTIALS_FILE, type AdminCredentials } from './kernel/admin-credentials.js';
export { SECRET_KEY_FILE, SECRET_KEY_VARIABLE, SecretKeyError } from './kernel/secret-key.js';
export type { SecretBox } from './kernel/secret-box.js';
export { HEALTH_PATH } from './kernel/http-dispatch.js';
export { CLOUD_VERSION } from './kernel/version.js';
export { BlobNotFoundError, isBlobNotFound, type BlobStore, type SqlStore } from './engines/types.js';
