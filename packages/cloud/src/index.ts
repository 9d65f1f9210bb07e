/**
 * Forte Cloud: one Node process speaking AWS wire protocols. `createCloud` starts one; the kernel types
 * are what services (and tests) code against.
 */
export { createCloud, DEFAULT_PORT, PortInUseError, type Cloud, type CloudOptions } from './server.js';
export {
  type CloudConfig,
  type CognitoLimits,
  type CognitoLimitSettings,
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
  type Service,
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
