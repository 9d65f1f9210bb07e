import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { jsonApiRoute } from '../../kernel/json-api.js';
import { COGNITO_IDENTITY_ERRORS } from './identity-errors.js';
import { CREDENTIAL_PROVIDERS, TRUST_POLICY_SOURCES } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createIdentityOperations } from './identity-operations.js';
import { createIdentityPoolHandler } from './identity-pool-handler.js';
import { createIdentityStore } from './identity-store.js';
import { COGNITO_IDENTITY_MIGRATIONS } from './migrations.js';
import type { SocialLoginEndpoints } from './social-logins.js';
import { createTemporaryCredentials } from './temporary-credentials.js';

/**
 * Cognito identity pools: `POST /cognito-identity/` (GetId, GetCredentialsForIdentity and a few
 * admin reads), the `Forte::Cognito::IdentityPool` resource type, and the credential provider (`CREDENTIAL_PROVIDERS`) that lets
 * every service verify the temporary credentials it issues (role principals bound to an identity id, so
 * the IAM service's role policies and `${cognito-identity.amazonaws.com:sub}` apply).
 */
/** The identity pool service's settings. */
export interface CognitoIdentityOptions {
  /** config.json's `identityProviders`: where Google, Facebook, Amazon and Apple check the tokens of `Logins`. */
  loginProviderEndpoints?: SocialLoginEndpoints | undefined;
}

export function createCognitoIdentityService(kernel: Kernel, options: CognitoIdentityOptions = {}): Service {
  const store = createIdentityStore(kernel.sql);
  const credentials = createTemporaryCredentials(kernel.sql, kernel.secrets);
  return {
    name: 'cognito-identity',
    provides: [provide(CREDENTIAL_PROVIDERS, credentials.provider())],
    // A role is handed out only when its trust policy allows it: without a service that owns roles, none is.
    requires: [TRUST_POLICY_SOURCES],
    routes: [
      // GetId and GetCredentialsForIdentity are unsigned, as in AWS (callers have no keys yet); bad input is
      // InvalidParameterException, the name Cognito's clients know.
      jsonApiRoute({
        name: 'cognito-identity',
        path: '/cognito-identity/',
        targetPrefix: 'AWSCognitoIdentityService.',
        signingService: 'cognito-identity',
        actionPrefix: 'cognito-identity',
        operations: createIdentityOperations({ kernel, store, credentials, loginEndpoints: options.loginProviderEndpoints }),
        errors: COGNITO_IDENTITY_ERRORS,
        validationErrorCode: 'InvalidParameterException',
      }),
    ],
    resourceTypes: { [AUTH_RESOURCE_TYPES.identityPool]: createIdentityPoolHandler(store) },
    async start() {
      await kernel.sql.migrate('cognito-identity', COGNITO_IDENTITY_MIGRATIONS);
      await credentials.sealPlaintextSecrets();
    },
  };
}
