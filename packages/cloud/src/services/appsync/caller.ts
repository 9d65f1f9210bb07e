import type { Kernel, Principal } from '../../kernel/types.js';
import type { DeployedApi } from './api-registry.js';
import { authenticateRequest } from './authenticate-request.js';

/** Who calls a GraphQL API, resolved from the request's credentials through one of the API's auth modes. */
export interface Caller {
  mode: 'apiKey' | 'userPools' | 'oidc' | 'iam' | 'function';
  /** User pool / OIDC subject. */
  sub?: string;
  /** `cognito:username` (ID token) or `username` (access token). */
  username?: string;
  /** `cognito:groups` of the token (empty for API key and IAM callers). */
  groups: string[];
  /** Every claim of the verified token (empty for API key and IAM callers). */
  claims: Record<string, unknown>;
  /** IAM callers: the SigV4 principal. */
  principal?: Principal;
  /** IAM callers: the identity pool's authenticated or unauthenticated role, admin keys, or any other role. */
  iamRole?: 'auth' | 'unauth' | 'admin' | 'other';
  /** AWS_LAMBDA callers: the authorizer's `resolverContext` (`$ctx.identity.resolverContext`). */
  resolverContext?: Record<string, unknown>;
  /** AWS_LAMBDA callers: the fields the authorizer denied, as `Type.field`; they resolve to null with an error. */
  deniedFields?: ReadonlySet<string>;
  /**
   * When the credentials stop counting, epoch milliseconds: the token's `exp` (and an OIDC provider's
   * IatTTL/AuthTTL), the API key's expiry, the temporary credentials' expiry (IAM; none for admin keys).
   * Realtime ends the caller's subscriptions then.
   */
  expiresAt?: number;
}

/** A refusal in AppSync's terms (`UnauthorizedException`, …): HTTP answers 401, realtime an error frame. */
export class AppSyncAuthError extends Error {
  override readonly name = 'AppSyncAuthError';
  constructor(
    readonly errorType: string,
    message: string,
    readonly status = 401,
  ) {
    super(message);
  }
}

/**
 * Resolves the caller of `api` from request headers alone, the way AppSync picks the auth mode: an
 * `x-api-key` header → API_KEY, a SigV4 `authorization` → AWS_IAM, any other `authorization` (a JWT) →
 * user pools or OIDC. `request` is what was signed (method, path, body), for SigV4. Throws
 * AppSyncAuthError when the credentials match none of the API's modes or are invalid.
 */
export async function authenticateCaller(
  api: DeployedApi,
  headers: Record<string, string | undefined>,
  request: { method: string; path: string; body: string },
  kernel: Kernel,
): Promise<Caller> {
  return authenticateRequest({ api, headers, request, kernel });
}
