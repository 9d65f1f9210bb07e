import type { CognitoState } from './cognito-state.js';
import { invalidParameter } from './cognito-error.js';
import type { StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';
import { eventAttributes, NO_CLIENT, runTrigger, text } from './triggers.js';

/** The CustomMessage trigger source of each purpose a code is sent for. */
const CUSTOM_MESSAGE_SOURCES: Record<string, string> = {
  SignUp: 'CustomMessage_SignUp',
  ResendCode: 'CustomMessage_ResendCode',
  ForgotPassword: 'CustomMessage_ForgotPassword',
  VerifyAttribute: 'CustomMessage_VerifyUserAttribute',
  Mfa: 'CustomMessage_Authentication',
};

/** Who asked for a code: the app client (callerContext) and the request's ClientMetadata, for CustomMessage. */
export interface DeliveryCaller {
  clientId?: string;
  clientMetadata?: Record<string, string> | undefined;
  /** CustomMessage's trigger source when the purpose alone does not say it (`CustomMessage_UpdateUserAttribute`). */
  triggerSource?: string;
}

/** The code placeholder of messages, which a CustomMessage answer must keep for its message to be used. */
const CODE_PARAMETER = '{####}';

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
  caller: DeliveryCaller = {},
): Promise<{ Destination: string; DeliveryMedium: 'EMAIL' | 'SMS'; AttributeName: string }> {
  const name = attribute ?? (user.attributes.email ? 'email' : user.attributes.phone_number ? 'phone_number' : 'email');
  const to = user.attributes[name];
  if (!to) throw invalidParameter(`Cannot deliver a code: user ${user.username} has no ${name} attribute.`);
  const medium = name === 'phone_number' ? 'SMS' : 'EMAIL';
  let subject = medium === 'EMAIL' ? (pool.config.EmailVerificationSubject ?? 'Your verification code') : undefined;
  let template =
    medium === 'EMAIL'
      ? (pool.config.EmailVerificationMessage ?? 'Your verification code is {####}')
      : (pool.config.SmsVerificationMessage ?? 'Your verification code is {####}');
  const source = caller.triggerSource ?? CUSTOM_MESSAGE_SOURCES[purpose];
  const custom =
    source === undefined
      ? undefined
      : await runTrigger(state, pool, 'CustomMessage', {
          triggerSource: source,
          userName: user.username,
          clientId: caller.clientId ?? NO_CLIENT,
          request: {
            userAttributes: eventAttributes(user),
            codeParameter: CODE_PARAMETER,
            linkParameter: '{##Click Here##}',
            usernameParameter: null,
            ...(caller.clientMetadata ? { clientMetadata: caller.clientMetadata } : {}),
          },
          response: { smsMessage: null, emailMessage: null, emailSubject: null },
        });
  if (custom) {
    // A message without the code cannot do its job: Cognito then sends its own.
    const message = text(custom, medium === 'EMAIL' ? 'emailMessage' : 'smsMessage');
    if (message !== undefined && message.includes(CODE_PARAMETER)) template = message;
    const customSubject = text(custom, 'emailSubject');
    if (medium === 'EMAIL' && customSubject !== undefined && customSubject !== '') subject = customSubject;
  }
  await state.mailbox.send({
    to,
    medium,
    ...(subject === undefined ? {} : { subject }),
    body: template.replace(CODE_PARAMETER, code),
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
