import type { UserPoolProperties } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { Kernel } from '../../kernel/types.js';
import type { CognitoLimits } from './cognito-limits.js';
import type { AttemptLimits } from './attempt-limits.js';
import type { ChallengeSessions } from './challenge-sessions.js';
import { cognitoError, invalidParameter } from './cognito-error.js';
import type { IdentityProviderStore, ProviderEndpointSettings } from './identity-providers.js';
import type { Mailbox } from './mailbox.js';
import type { PoolStore, StoredClient, StoredPool } from './pool-store.js';
import type { SignInLimiter } from './sign-in-limiter.js';
import type { TokenKeys } from './token-keys.js';
import type { StoredUser, UserStore } from './user-store.js';
import type { VerifiedTokens } from './verified-tokens.js';
/** What every part of the user pool service shares: the kernel, the stores and the limiters. */
export interface CognitoState {
  kernel: Kernel;
  /** The service's store (kernel.sql with a data version on every engine: bus-data-version.ts); its tables are written only through it. */
  sql: SqlStore;
  pools: PoolStore;
  users: UserStore;
  /** Each pool's federated identity providers (identity-providers.ts). */
  providers: IdentityProviderStore;
  /** The cloud's endpoints for the social provider types (config.json's `identityProviders`). */
  providerEndpoints: ProviderEndpointSettings;
  keys: TokenKeys;
  mailbox: Mailbox;
  limiter: SignInLimiter;
  /** Wrong codes and passwords, codes sent and sign-ups, counted in SQL (limited-requests.ts applies them). */
  limits: AttemptLimits;
  /** The service's limits (config.json's `cognito` section, defaults filled in). */
  limitSettings: CognitoLimits;
  sessions: ChallengeSessions;
  /** Access tokens already verified, until they expire (their revocation is checked on every call: user-store `signedIn`). */
  verifiedTokens: VerifiedTokens;
}

/** A pool's token issuer: `<cloud URL>/<userPoolId>` (JWKS and discovery live under it). */
export function issuerOf(state: CognitoState, poolId: string): string {
  return `${state.kernel.baseUrl()}/${poolId}`;
}

/** Refuses a value of a sign-in attribute (email, phone, preferred_username) that another user already has. */
export async function assertAliasFree(state: CognitoState, pool: StoredPool, user: StoredUser, changes: Record<string, string>): Promise<void> {
  for (const name of aliasesOf(pool.config)) {
    const value = changes[name];
    if (value === undefined || value === user.attributes[name]) continue;
    const other = await state.users.findByAttribute(pool.id, name, value, caseInsensitive(pool));
    if (other && other.username !== user.username) throw cognitoError('AliasExistsException', `An account with the given ${name} already exists.`);
  }
}

/** The app client named in a request and its pool. */
export async function requireClient(state: CognitoState, clientId: unknown): Promise<{ client: StoredClient; pool: StoredPool }> {
  if (typeof clientId !== 'string' || clientId === '')
    throw invalidParameter("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null");
  const found = await state.pools.getClientAndPool(clientId);
  if (!found) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return found;
}

export async function requirePool(state: CognitoState, poolId: unknown): Promise<StoredPool> {
  const pool = typeof poolId === 'string' ? await state.pools.getPool(poolId) : undefined;
  if (!pool) throw cognitoError('ResourceNotFoundException', `User pool ${String(poolId)} does not exist.`);
  return pool;
}

/**
 * True when the pool matches usernames and sign-in aliases in any case (`UsernameCaseSensitive: false`).
 * Without the property a pool is case-sensitive, as Cognito's API creates it; Amplify and the auth
 * category set it to false.
 */
export function caseInsensitive(pool: StoredPool): boolean {
  return pool.config.UsernameCaseSensitive === false;
}

/** Username and alias attributes a typed name may match (email sign-in, aliases). */
export function aliasesOf(config: UserPoolProperties): string[] {
  return [...(config.UsernameAttributes ?? []), ...(config.AliasAttributes ?? [])];
}

/**
 * The user a typed name means: the username itself, a username attribute (email sign-in), or an alias
 * attribute, which counts only once verified (as in Cognito). A case-insensitive pool matches any case.
 */
export async function findUser(state: CognitoState, pool: StoredPool, name: string): Promise<StoredUser | undefined> {
  const folded = caseInsensitive(pool);
  const same = (a: string | undefined): boolean => a !== undefined && (folded ? a.toLowerCase() === name.toLowerCase() : a === name);
  const user = await state.users.find(pool.id, name, aliasesOf(pool.config), folded);
  if (!user || same(user.username) || (pool.config.UsernameAttributes ?? []).length > 0) return user;
  const viaAlias = (pool.config.AliasAttributes ?? []).find((a) => same(user.attributes[a]));
  return viaAlias === undefined || user.attributes[`${viaAlias}_verified`] === 'true' ? user : undefined;
}

/** The user's attributes in Cognito's wire shape, `sub` first. */
export function attributeList(user: StoredUser): Array<{ Name: string; Value: string }> {
  return [
    { Name: 'sub', Value: user.sub },
    ...Object.entries(user.attributes)
      .filter(([n]) => n !== 'sub')
      .map(([Name, Value]) => ({ Name, Value })),
  ];
}

/** Parses `[{Name, Value}]`, refusing non-string values. */
export function parseAttributes(input: unknown, field: string): Record<string, string> {
  if (input === undefined) return {};
  if (!Array.isArray(input)) throw invalidParameter(`${field} must be a list of {Name, Value}.`);
  const out: Record<string, string> = {};
  for (const item of input as unknown[]) {
    const entry = item as { Name?: unknown; Value?: unknown };
    if (typeof entry?.Name !== 'string' || (entry.Value !== undefined && typeof entry.Value !== 'string'))
      throw invalidParameter(`${field} must be a list of {Name, Value} with string values.`);
    if (entry.Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
    out[entry.Name] = entry.Value ?? '';
  }
  return out;
}

/** A required string field of a request, with Cognito's validation message when it is missing. */
export function str(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '')
    throw invalidParameter(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  return value;
}
