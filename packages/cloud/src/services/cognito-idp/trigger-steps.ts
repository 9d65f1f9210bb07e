import type { CognitoState } from './cognito-state.js';
import type { StoredPool } from './pool-store.js';
import type { TokenOverrides } from './tokens.js';
import { eventAttributes, hasTrigger, runTrigger, stringMap, triggerOf, unrecognizable } from './triggers.js';
import type { StoredUser } from './user-store.js';

/**
 * PostConfirmation after a confirmation (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword). The
 * confirmation is already stored, as in Cognito: a failing function answers its error, and the user stays
 * confirmed.
 */
export async function runPostConfirmation(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  triggerSource: 'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword',
  clientId: string,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  await runTrigger(state, pool, 'PostConfirmation', {
    triggerSource,
    userName: user.username,
    clientId,
    request: { userAttributes: eventAttributes(user), ...(clientMetadata ? { clientMetadata } : {}) },
    response: {},
  });
}

/** PreAuthentication, once the user a sign-in names is known and before any secret is checked: it may refuse. */
export async function runPreAuthentication(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  clientId: string,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  await runTrigger(state, pool, 'PreAuthentication', {
    triggerSource: 'PreAuthentication_Authentication',
    userName: user.username,
    clientId,
    request: { userAttributes: eventAttributes(user), userNotFound: false, ...(clientMetadata ? { validationData: clientMetadata } : {}) },
    response: {},
  });
}

/** Why tokens are issued, as PreTokenGeneration's trigger source says it. */
export type TokenGenerationSource =
  'TokenGeneration_Authentication' | 'TokenGeneration_HostedAuth' | 'TokenGeneration_NewPasswordChallenge' | 'TokenGeneration_RefreshTokens';

/**
 * PostAuthentication (after a sign-in, not a refresh) and PreTokenGeneration, before any token or refresh
 * token exists: a failure of either issues nothing. Answers what the tokens change, or undefined.
 */
export async function runTokenTriggers(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  options: { clientId: string; source: TokenGenerationSource; groups: string[]; roles: string[]; clientMetadata?: Record<string, string> | undefined },
): Promise<TokenOverrides | undefined> {
  const { clientId, source, clientMetadata } = options;
  const metadata = clientMetadata ? { clientMetadata } : {};
  if (source !== 'TokenGeneration_RefreshTokens' && hasTrigger(pool, 'PostAuthentication')) {
    await runTrigger(state, pool, 'PostAuthentication', {
      triggerSource: 'PostAuthentication_Authentication',
      userName: user.username,
      clientId,
      request: { userAttributes: eventAttributes(user), newDeviceUsed: false, ...metadata },
      response: {},
    });
  }
  const trigger = triggerOf(pool, 'PreTokenGeneration');
  if (!trigger) return undefined;
  const v2 = trigger.version !== '1';
  const groupConfiguration = { groupsToOverride: options.groups, iamRolesToOverride: options.roles, preferredRole: options.roles[0] ?? null };
  const response = await runTrigger(state, pool, 'PreTokenGeneration', {
    triggerSource: source,
    userName: user.username,
    clientId,
    request: { userAttributes: eventAttributes(user), groupConfiguration, ...(v2 ? { scopes: ['aws.cognito.signin.user.admin'] } : {}), ...metadata },
    response: v2 ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null },
  });
  if (!response) return undefined;
  return v2 ? overridesV2(response) : overridesV1(response);
}

type Json = Record<string, unknown>;

const objectOf = (value: unknown): Json | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw unrecognizable();
  return value as Json;
};

const listOf = (value: unknown): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw unrecognizable();
  return value as string[];
};

function groupsOf(details: Json | undefined): Pick<TokenOverrides, 'groups' | 'roles' | 'preferredRole'> {
  const group = objectOf(details?.groupOverrideDetails);
  if (!group) return {};
  const out: Pick<TokenOverrides, 'groups' | 'roles' | 'preferredRole'> = {};
  const groups = listOf(group.groupsToOverride);
  const roles = listOf(group.iamRolesToOverride);
  if (groups) out.groups = groups;
  if (roles) out.roles = roles;
  if (typeof group.preferredRole === 'string') out.preferredRole = group.preferredRole;
  return out;
}

/** V1: `claimsOverrideDetails` changes the ID token (string claims) and the groups of both tokens. */
function overridesV1(response: Json): TokenOverrides {
  const details = objectOf(response.claimsOverrideDetails);
  return {
    id: { add: stringMap(details ?? {}, 'claimsToAddOrOverride') ?? {}, suppress: listOf(details?.claimsToSuppress) ?? [] },
    ...groupsOf(details),
  };
}

/** V2: `claimsAndScopeOverrideDetails` changes the ID token, the access token and its scopes, and the groups. */
function overridesV2(response: Json): TokenOverrides {
  const details = objectOf(response.claimsAndScopeOverrideDetails);
  const id = objectOf(details?.idTokenGeneration);
  const access = objectOf(details?.accessTokenGeneration);
  return {
    id: { add: objectOf(id?.claimsToAddOrOverride) ?? {}, suppress: listOf(id?.claimsToSuppress) ?? [] },
    access: {
      add: objectOf(access?.claimsToAddOrOverride) ?? {},
      suppress: listOf(access?.claimsToSuppress) ?? [],
      scopesToAdd: listOf(access?.scopesToAdd) ?? [],
      scopesToSuppress: listOf(access?.scopesToSuppress) ?? [],
    },
    ...groupsOf(details),
  };
}
