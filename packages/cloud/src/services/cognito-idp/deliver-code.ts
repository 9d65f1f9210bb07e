import type { CognitoState } from './cognito-state.js';
import { invalidParameter } from './cognito-error.js';
import type { StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

/**
 * Delivers a code to the user's verified channel (email first, else phone), via the mailbox (which also
 * emails it when the cloud has an SMTP server). The email's subject is the pool's EmailVerificationSubject.
 */
export async function deliverCode(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  purpose: string,
  code: string,
  attribute?: string,
): Promise<{ Destination: string; DeliveryMedium: 'EMAIL' | 'SMS'; AttributeName: string }> {
  const name = attribute ?? (user.attributes.email ? 'email' : user.attributes.phone_number ? 'phone_number' : 'email');
  const to = user.attributes[name];
  if (!to) throw invalidParameter(`Cannot deliver a code: user ${user.username} has no ${name} attribute.`);
  const medium = name === 'phone_number' ? 'SMS' : 'EMAIL';
  const subject = medium === 'EMAIL' ? (pool.config.EmailVerificationSubject ?? 'Your verification code') : undefined;
  const template =
    medium === 'EMAIL'
      ? (pool.config.EmailVerificationMessage ?? 'Your verification code is {####}')
      : (pool.config.SmsVerificationMessage ?? 'Your verification code is {####}');
  await state.mailbox.send({
    to,
    medium,
    ...(subject === undefined ? {} : { subject }),
    body: template.replace('{####}', code),
    code,
    purpose,
    userPoolId: pool.id,
    username: user.username,
  });
  return { Destination: mask(to), DeliveryMedium: medium, AttributeName: name };
}

/** How a destination is shown to the client: `a***@example.com`, `+******1234`. */
export function mask(to: string): string {
  const at = to.indexOf('@');
  return at > 0 ? `${to[0]}***${to.slice(at)}` : `+******${to.slice(-4)}`;
}
