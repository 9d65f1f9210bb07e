import type { UserPoolProperties } from '@forte/protocol';
import { cognitoError } from './cognito-error.js';
import { hashPassword } from './password-hash.js';
import type { StoredPool } from './pool-store.js';
import { createVerifier } from './srp-math.js';
import type { StoredUser } from './user-store.js';

/** Checks a new password against the pool's policy (Cognito's defaults where the pool sets none). */
export function checkPasswordPolicy(config: UserPoolProperties, password: string): void {
  const policy = config.PasswordPolicy ?? {};
  const problems: string[] = [];
  if (password.length < (policy.MinimumLength ?? 8)) problems.push(`Password not long enough (at least ${policy.MinimumLength ?? 8} characters)`);
  if ((policy.RequireLowercase ?? true) && !/[a-z]/.test(password)) problems.push('Password must have lowercase characters');
  if ((policy.RequireUppercase ?? true) && !/[A-Z]/.test(password)) problems.push('Password must have uppercase characters');
  if ((policy.RequireNumbers ?? true) && !/[0-9]/.test(password)) problems.push('Password must have numeric characters');
  if ((policy.RequireSymbols ?? true) && !/[^A-Za-z0-9]/.test(password)) problems.push('Password must have symbol characters');
  if (password.length > 256) problems.push('Password is longer than 256 characters');
  if (problems.length > 0) throw cognitoError('InvalidPasswordException', `Password did not conform with policy: ${problems.join('; ')}`);
}

/** Stores the SRP salt + verifier and a password hash; never the password. */
export async function setPassword(pool: StoredPool, user: StoredUser, password: string): Promise<void> {
  const { salt, verifier } = createVerifier(poolNameOf(pool.id), user.username, password);
  user.srpSalt = salt;
  user.srpVerifier = verifier;
  user.passwordHash = await hashPassword(password);
}

export function poolNameOf(poolId: string): string {
  return poolId.split('_')[1] ?? poolId;
}
