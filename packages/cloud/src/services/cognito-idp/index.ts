import { CONTROL_ERRORS, MAILBOX_API_PATH, MAILBOX_TARGET_PREFIX, SIGNING_SERVICE } from '@forte/protocol';
import { z } from 'zod';
import { createBusDataVersion } from '../../kernel/bus-data-version.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { defineOperation, jsonApiRoute } from '../../kernel/json-api.js';
import { COGNITO_IDP_ERRORS } from './cognito-error.js';
import { IDENTITY_TOKEN_VERIFIERS, USER_TOKENS } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import type { CognitoLimitSettings } from './cognito-limits.js';
import { adminOperations } from './admin-operations.js';
import { poolOperations } from './pool-operations.js';
import { domainOperations } from './domain-operations.js';
import { createHostedUiRoute } from './hosted-ui-route.js';
import { createIdentityProviderStore, identityProviderOperations, type ProviderEndpointSettings } from './identity-providers.js';
import { providerLinkOperations } from './provider-links.js';
import { createOAuthGrants } from './oauth-grants.js';
import { createAttemptLimits } from './attempt-limits.js';
import { authOperations } from './auth-operations.js';
import { createChallengeSessions } from './challenge-sessions.js';
import type { CognitoState } from './cognito-state.js';
import { jsonOperations } from './user-operation.js';
import { createIdentityTokenVerifier } from './identity-token-verifier.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { resolveCognitoLimits } from './limit-settings.js';
import { createMailbox } from './mailbox.js';
import { cognitoIdpMigrations } from './migrations.js';
import { createPoolResourceHandlers } from './pool-resources.js';
import { identityProviderResourceHandlers } from './identity-provider-resource.js';
import { createPoolStore } from './pool-store.js';
import { resourceServerOperations, resourceServerResourceHandlers } from './resource-servers.js';
import { selfOperations } from './self-operations.js';
import { createSignInLimiter } from './sign-in-limiter.js';
import { signUpOperations } from './sign-up-operations.js';
import { uiCustomizationOperations, uiCustomizationResourceHandlers } from './ui-customization.js';
import { createTokenKeys } from './token-keys.js';
import { createUserStore } from './user-store.js';
import { createUserTokenIssuer } from './user-token-issuer.js';
import { createVerifiedTokens } from './verified-tokens.js';
import { createWellKnownRoute } from './well-known-route.js';

/** The user pool service's settings: config.json's `cognito` section. */
export interface CognitoIdpOptions {
  /** Wrong codes, codes sent, sign-ups, the mailbox; each field defaults to limit-settings.ts. */
  limits?: CognitoLimitSettings | undefined;
  /** Endpoints for Google, Facebook, LoginWithAmazon, SignInWithApple in place of the real ones (a company's proxy, tests). */
  identityProviderEndpoints?: ProviderEndpointSettings | undefined;
}

/**
 * Cognito user pools: the `AWSCognitoIdentityProviderService` API at `/cognito-idp/`, JWKS and OIDC
 * discovery under each pool's issuer, the hosted UI and OAuth 2.0 endpoints of each pool's domain, the user pool resource types, the mailbox API, and the verifier of
 * its tokens for other services (`IDENTITY_TOKEN_VERIFIERS`).
 */
export function createCognitoIdpService(kernel: Kernel, options: CognitoIdpOptions = {}): Service {
  const limits = resolveCognitoLimits(options.limits);
  // The signing keys are kept in memory (token-keys.ts): a key made by another instance sharing the
  // database is read again here at once, so the tokens it signs verify here too.
  const keysChanged = createCacheInvalidation<null>(kernel, 'cognito-signing-keys', {
    isChange: (value): value is null => value === null,
    onChange: () => state.keys.reload(),
    onLost: () => state.keys.reload(),
  });
  // The token check's sign-in rows are kept until the data version changes (user-store `signedIn`): on
  // PostgreSQL that version is this instance's writes and, through the bus, the other instances'.
  const data = createBusDataVersion(kernel, 'cognito-idp');
  const { sql } = data;
  const state: CognitoState = {
    kernel,
    sql,
    pools: createPoolStore(sql),
    users: createUserStore(sql),
    providers: createIdentityProviderStore(sql, kernel.secrets),
    providerEndpoints: options.identityProviderEndpoints ?? {},
    keys: createTokenKeys(sql, kernel.secrets, { onRotated: () => keysChanged.changed(null) }),
    mailbox: createMailbox(sql, kernel.mail, limits.mailbox),
    limiter: createSignInLimiter({
      sql: kernel.sql,
      perUser: limits.signIns.perUser,
      perAddress: limits.signIns.perAddress,
      windowMs: limits.signIns.windowSeconds * 1000,
    }),
    // Counted on every attempt and kept in memory by nobody: kernel.sql, so an attempt changes no data version
    // (which would drop every instance's kept sign-ins).
    limits: createAttemptLimits(kernel.sql),
    limitSettings: limits,
    sessions: createChallengeSessions(sql),
    verifiedTokens: createVerifiedTokens(),
  };
  return {
    name: 'cognito-idp',
    provides: [provide(IDENTITY_TOKEN_VERIFIERS, createIdentityTokenVerifier(state)), provide(USER_TOKENS, createUserTokenIssuer(state))],
    routes: [
      // User operations are unsigned (tokens travel in the body); admin operations are signed and
      // authorized as cognito-idp:<Operation>.
      jsonApiRoute({
        name: 'cognito-idp',
        path: '/cognito-idp/',
        targetPrefix: 'AWSCognitoIdentityProviderService.',
        signingService: 'cognito-idp',
        actionPrefix: 'cognito-idp',
        operations: {
          ...jsonOperations({ ...signUpOperations(state), ...authOperations(state), ...selfOperations(state) }, false),
          // Admin operations act on the pool named in the request, as IAM sees them (Amplify's trigger
          // policies, such as add-to-group's, name the pool's ARN).
          ...jsonOperations(
            {
              ...adminOperations(state),
              ...poolOperations(state),
              ...domainOperations(state),
              ...identityProviderOperations(state),
              ...resourceServerOperations(state),
              ...providerLinkOperations(state),
              ...uiCustomizationOperations(state),
            },
            true,
            (input) => [
              `arn:aws:cognito-idp:${kernel.config.region}:${kernel.config.accountId}:userpool/${typeof input.UserPoolId === 'string' ? input.UserPoolId : '*'}`,
            ],
          ),
        },
        errors: COGNITO_IDP_ERRORS,
        validationErrorCode: 'InvalidParameterException',
      }),
      createWellKnownRoute(state),
      // Codes and hosted-UI sessions are kept in memory by nobody: kernel.sql, so issuing one drops no instance's kept sign-ins.
      createHostedUiRoute(state, createOAuthGrants(kernel.sql)),
      jsonApiRoute({
        name: 'mailbox-api',
        path: MAILBOX_API_PATH,
        browserAccess: 'same-origin',
        targetPrefix: MAILBOX_TARGET_PREFIX,
        signingService: SIGNING_SERVICE,
        actionPrefix: 'mailbox',
        operations: {
          ListMessages: defineOperation({
            input: z.object({
              to: z.string().min(1).optional(),
              userPoolId: z.string().min(1).optional(),
              username: z.string().min(1).optional(),
              limit: z.number().int().min(1).max(1000).optional(),
            }),
            handler: async (input) => ({ messages: await state.mailbox.list(input) }),
          }),
        },
        errors: CONTROL_ERRORS,
        validationErrorCode: 'ValidationException',
      }),
    ],
    resourceTypes: {
      ...createPoolResourceHandlers(state),
      ...uiCustomizationResourceHandlers(state),
      ...identityProviderResourceHandlers(state),
      ...resourceServerResourceHandlers(state),
    },
    async start() {
      await data.start();
      await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
      await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
      await keysChanged.start();
      await state.keys.start();
    },
    stop() {
      keysChanged.stop();
      data.stop();
      return Promise.resolve();
    },
  };
}
