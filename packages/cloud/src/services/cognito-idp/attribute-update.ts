import type { CognitoState } from './cognito-state.js';
import { deliverCode, type DeliveryCaller } from './deliver-code.js';
import type { StoredPool } from './pool-store.js';
import { CODE_TTL_MS, type StoredUser } from './user-store.js';

/**
 * True when changing `name` to `value` must wait for the code sent to the new value: the pool lists the
 * attribute in `AttributesRequireVerificationBeforeUpdate` and the user's current value is verified (an
 * unverified value has nothing to protect, so it changes at once as without the setting).
 */
export function verifiesBeforeUpdate(pool: StoredPool, user: StoredUser, name: string, value: string): boolean {
  const names: readonly string[] = pool.config.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  return names.includes(name) && value !== '' && user.attributes[name] !== value && user.attributes[`${name}_verified`] === 'true';
}

/**
 * Keeps the user's verified value and sends a code to the new one, which VerifyUserAttribute swaps in.
 * Until then sign-in, tokens and GetUser use the old value, so a typo never locks the user out.
 */
export async function holdForVerification(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  name: string,
  value: string,
  caller: DeliveryCaller = { triggerSource: 'CustomMessage_UpdateUserAttribute' },
) {
  const code = await state.users.newCode(pool.id, user.username, `verify:${name}`, CODE_TTL_MS.attribute, value);
  return deliverCode(state, pool, { ...user, attributes: { ...user.attributes, [name]: value } }, 'VerifyAttribute', code, name, caller);
}
