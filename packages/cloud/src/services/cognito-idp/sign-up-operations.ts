import { randomUUID } from 'node:crypto';
import { assertCodeAccepted, cognitoError, invalidParameter } from './cognito-error.js';
import { caseInsensitive, type CognitoState, findUser, parseAttributes, requireClient, str } from './cognito-state.js';
import { deliverCode } from './deliver-code.js';
import { checkUserWrite, requiredAttributes } from './attribute-schema.js';
import { attempter, limitCodeSend, limitedCodeEntry, limitSignUp } from './limited-requests.js';
import { checkPasswordPolicy, setPassword } from './password-setting.js';
import { checkSecretHash } from './secret-hash.js';
import { simulatedDelivery, unknownUserCodeError } from './unknown-user.js';
import type { UserOperation } from './user-operation.js';
import { CODE_TTL_MS, newStoredUser } from './user-store.js';
import { clientMetadataOf, flag, runTrigger } from './triggers.js';
import { migrateUser } from './user-migration.js';
import { runPostConfirmation } from './trigger-steps.js';

/**
 * SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword. The last four
 * answer an unknown user like a known one unless the client is LEGACY (unknown-user.ts), and count and
 * throttle an unknown user's codes like a known one's (limited-requests.ts).
 */
export function signUpOperations(state: CognitoState): Record<string, UserOperation> {
  return {
    async SignUp(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      await limitSignUp(state, state.kernel.clientAddress(ctx.req));
      const typed = str(input, 'Username');
      checkSecretHash(client, typed, input.SecretHash);
      if (typeof input.Password !== 'string')
        throw invalidParameter("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null");
      const attributes = parseAttributes(input.UserAttributes, 'UserAttributes');
      checkUserWrite(pool, client, attributes, undefined);
      const usernameAttributes = pool.config.UsernameAttributes ?? [];
      const sub = randomUUID();
      let username = typed;
      if (usernameAttributes.length > 0) {
        const kind = typed.includes('@') ? 'email' : 'phone_number';
        if (!usernameAttributes.includes(kind)) throw invalidParameter(`Username should be ${usernameAttributes.join(' or ')}.`);
        attributes[kind] = typed;
        username = sub; // Cognito keeps the sub as the internal username when users sign in with email/phone
        if (await state.users.findByAttribute(pool.id, kind, typed, caseInsensitive(pool)))
          throw cognitoError('UsernameExistsException', 'An account with the given email already exists.');
      } else if (await state.users.getByName(pool.id, typed, caseInsensitive(pool))) {
        throw cognitoError('UsernameExistsException', 'User already exists');
      }
      const missing = requiredAttributes(pool).filter((name) => !attributes[name]);
      if (missing.length > 0)
        throw invalidParameter(`Attributes did not conform to the schema: ${missing.map((m) => `${m}: The attribute ${m} is required`).join(', ')}`);
      checkPasswordPolicy(pool.config, input.Password);
      const clientMetadata = clientMetadataOf(input);
      // PreSignUp decides before anything is stored: a refusal creates no user.
      const pre = await runTrigger(state, pool, 'PreSignUp', {
        triggerSource: 'PreSignUp_SignUp',
        userName: username,
        clientId: client.id,
        request: {
          userAttributes: { ...attributes },
          validationData: validationDataOf(input.ValidationData),
          ...(clientMetadata ? { clientMetadata } : {}),
        },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      });
      const autoConfirm = pre ? flag(pre, 'autoConfirmUser') : false;
      if (pre && flag(pre, 'autoVerifyEmail') && attributes.email) attributes.email_verified = 'true';
      if (pre && flag(pre, 'autoVerifyPhone') && attributes.phone_number) attributes.phone_number_verified = 'true';
      const user = newStoredUser({ poolId: pool.id, username, sub, status: autoConfirm ? 'CONFIRMED' : 'UNCONFIRMED', attributes });
      await setPassword(pool, user, input.Password);
      // Checked again with the insert, in one transaction: a concurrent sign-up may have taken the name.
      const unique = usernameAttributes.length > 0 ? (typed.includes('@') ? 'email' : 'phone_number') : undefined;
      if (!(await state.users.insertIfFree(user, { uniqueAttribute: unique, folded: caseInsensitive(pool) }))) {
        throw cognitoError('UsernameExistsException', unique ? 'An account with the given email already exists.' : 'User already exists');
      }
      // A user confirmed by PreSignUp gets no code (and no PostConfirmation, as in Cognito).
      if (autoConfirm) return { UserConfirmed: true, UserSub: sub };
      const autoVerified = (pool.config.AutoVerifiedAttributes ?? []).find((a) => attributes[a] && attributes[`${a}_verified`] !== 'true');
      // Without an attribute to verify, the user still needs confirming: an admin does it (AdminConfirmSignUp).
      if (!autoVerified) return { UserConfirmed: false, UserSub: sub };
      try {
        const code = await state.users.newCode(pool.id, username, 'signUp', CODE_TTL_MS.signUp);
        const delivery = await deliverCode(state, pool, user, 'SignUp', code, autoVerified, { clientId: client.id, clientMetadata });
        return { UserConfirmed: false, UserSub: sub, CodeDeliveryDetails: delivery };
      } catch (error) {
        // A CustomMessage that fails fails the sign-up: the user it was for is not kept.
        await state.users.delete(pool.id, username);
        throw error;
      }
    },

    async ConfirmSignUp(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      const typed = str(input, 'Username');
      checkSecretHash(client, typed, input.SecretHash);
      const user = await findUser(state, pool, typed);
      const code = str(input, 'ConfirmationCode');
      if (user && user.status !== 'UNCONFIRMED') throw cognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
      const result = await limitedCodeEntry(state, attempter(pool, user, typed, state.kernel.clientAddress(ctx.req)), async () =>
        user ? state.users.useCode(pool.id, user.username, 'signUp', code) : 'mismatch',
      );
      if (!user) throw unknownUserCodeError(client);
      assertCodeAccepted(result);
      user.status = 'CONFIRMED';
      const verified = (pool.config.AutoVerifiedAttributes ?? []).find((a) => user.attributes[a]);
      if (verified) user.attributes[`${verified}_verified`] = 'true';
      await state.users.update(user);
      await runPostConfirmation(state, pool, user, 'PostConfirmation_ConfirmSignUp', client.id, clientMetadataOf(input));
      return {};
    },

    async ResendConfirmationCode(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      checkSecretHash(client, str(input, 'Username'), input.SecretHash);
      const typed = str(input, 'Username');
      const user = await findUser(state, pool, typed);
      await limitCodeSend(state, attempter(pool, user, typed, state.kernel.clientAddress(ctx.req)));
      if (!user) return { CodeDeliveryDetails: simulatedDelivery(pool, client, typed) };
      if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
      const code = await state.users.newCode(pool.id, user.username, 'signUp', CODE_TTL_MS.signUp);
      return {
        CodeDeliveryDetails: await deliverCode(state, pool, user, 'ResendCode', code, undefined, {
          clientId: client.id,
          clientMetadata: clientMetadataOf(input),
        }),
      };
    },

    async ForgotPassword(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      checkSecretHash(client, str(input, 'Username'), input.SecretHash);
      const typed = str(input, 'Username');
      const found = await findUser(state, pool, typed);
      await limitCodeSend(state, attempter(pool, found, typed, state.kernel.clientAddress(ctx.req)));
      // A name the pool does not know may be one the UserMigration trigger brings in (to reset its password).
      const user = found ?? (await migrateUser(state, pool, client, { typed, clientMetadata: clientMetadataOf(input) }));
      if (!user) return { CodeDeliveryDetails: simulatedDelivery(pool, client, typed) };
      if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
      const code = await state.users.newCode(pool.id, user.username, 'reset', CODE_TTL_MS.reset);
      return {
        CodeDeliveryDetails: await deliverCode(state, pool, user, 'ForgotPassword', code, undefined, {
          clientId: client.id,
          clientMetadata: clientMetadataOf(input),
        }),
      };
    },

    async ConfirmForgotPassword(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      const typed = str(input, 'Username');
      checkSecretHash(client, typed, input.SecretHash);
      const user = await findUser(state, pool, typed);
      const code = str(input, 'ConfirmationCode');
      const password = str(input, 'Password');
      checkPasswordPolicy(pool.config, password);
      const result = await limitedCodeEntry(state, attempter(pool, user, typed, state.kernel.clientAddress(ctx.req)), async () =>
        user ? state.users.useCode(pool.id, user.username, 'reset', code) : 'mismatch',
      );
      if (!user) throw unknownUserCodeError(client);
      assertCodeAccepted(result);
      await setPassword(pool, user, password);
      if (user.status === 'RESET_REQUIRED' || user.status === 'FORCE_CHANGE_PASSWORD') user.status = 'CONFIRMED';
      await state.users.update(user);
      await runPostConfirmation(state, pool, user, 'PostConfirmation_ConfirmForgotPassword', client.id, clientMetadataOf(input));
      return {};
    },
  };
}

/** SignUp's `ValidationData` (`[{Name, Value}]`) as the string map PreSignUp receives; null when absent. */
function validationDataOf(input: unknown): Record<string, string> | null {
  if (!Array.isArray(input)) return null;
  const out: Record<string, string> = {};
  for (const item of input as Array<{ Name?: unknown; Value?: unknown }>)
    if (typeof item?.Name === 'string' && typeof item.Value === 'string') out[item.Name] = item.Value;
  return out;
}
