import { randomUUID } from 'node:crypto';
import { isForteError } from '@forte/protocol';
import { checkAdminWrite } from './attribute-schema.js';
import { caseInsensitive, type CognitoState } from './cognito-state.js';
import { setPassword } from './password-setting.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { hasTrigger, runTrigger, stringMap, text } from './triggers.js';
import { newStoredUser, type StoredUser } from './user-store.js';

/**
 * The UserMigration trigger, for a name the pool does not know: at a USER_PASSWORD_AUTH sign-in (with the
 * password typed) or at ForgotPassword. When the function answers the user's `userAttributes`, the user is
 * created (with that password at sign-in; `finalUserStatus: CONFIRMED` makes them CONFIRMED, else
 * RESET_REQUIRED) and answered; otherwise the name stays unknown. A function that fails leaves the name
 * unknown too (logged), so the answer never tells a failed migration from a wrong name.
 */
export async function migrateUser(
  state: CognitoState,
  pool: StoredPool,
  client: StoredClient,
  input: { typed: string; password?: string; clientMetadata?: Record<string, string> | undefined },
): Promise<StoredUser | undefined> {
  if (!hasTrigger(pool, 'UserMigration')) return undefined;
  const { typed, password, clientMetadata } = input;
  const source = password === undefined ? 'UserMigration_ForgotPassword' : 'UserMigration_Authentication';
  let response;
  try {
    response = await runTrigger(state, pool, 'UserMigration', {
      triggerSource: source,
      userName: typed,
      clientId: client.id,
      request: { password: password ?? null, validationData: clientMetadata ?? null, ...(clientMetadata ? { clientMetadata } : {}) },
      response: {
        userAttributes: null,
        finalUserStatus: null,
        messageAction: null,
        desiredDeliveryMediums: null,
        forceAliasCreation: null,
        enableSMSMFA: null,
      },
    });
  } catch (error) {
    if (!isForteError(error)) throw error;
    state.kernel.log.warn('a user migration failed: the user stays unknown', { userPoolId: pool.id, code: error.code, message: error.message });
    return undefined;
  }
  const given = response ? stringMap(response, 'userAttributes') : undefined;
  if (!response || !given) return undefined;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) if (name !== 'sub' && name !== 'username') attributes[name] = value;
  checkAdminWrite(pool, attributes, undefined);
  const sub = randomUUID();
  let username = typed;
  let unique: 'email' | 'phone_number' | undefined;
  const usernameAttributes = pool.config.UsernameAttributes ?? [];
  if (usernameAttributes.length > 0) {
    unique = typed.includes('@') ? 'email' : 'phone_number';
    attributes[unique] = typed;
    username = sub;
  }
  const confirmed = password !== undefined && text(response, 'finalUserStatus') === 'CONFIRMED';
  const user = newStoredUser({ poolId: pool.id, username, sub, status: confirmed ? 'CONFIRMED' : 'RESET_REQUIRED', attributes });
  if (password !== undefined) await setPassword(pool, user, password);
  // Another request may have created the name meanwhile: then that user is the one signing in.
  if (!(await state.users.insertIfFree(user, { uniqueAttribute: unique, folded: caseInsensitive(pool) }))) return undefined;
  return user;
}
