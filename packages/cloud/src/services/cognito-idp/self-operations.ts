import { assertCodeAccepted, cognitoError, invalidParameter } from './cognito-error.js';
import { assertAliasFree, type CognitoState, parseAttributes, str } from './cognito-state.js';
import { deliverCode } from './deliver-code.js';
import { clientMetadataOf } from './triggers.js';
import { holdForVerification, verifiesBeforeUpdate } from './attribute-update.js';
import { attemptLimitExceeded, attempter, limitCodeSend, limitedCodeEntry, limitedPasswordCheck } from './limited-requests.js';
import { checkPassword } from './password-hash.js';
import { checkPasswordPolicy, setPassword } from './password-setting.js';
import { checkUserWrite, readableAttributes, requiredAttributes } from './attribute-schema.js';
import { clientOfAccessToken, userFromAccessToken } from './signed-in-user.js';
import { newTotpSecret, verifyTotp } from './totp.js';
import type { UserOperation } from './user-operation.js';
import { CODE_TTL_MS } from './user-store.js';

const VERIFIABLE = ['email', 'phone_number'];

/** Operations a signed-in user makes with an access token, plus the software-token setup of MFA_SETUP. */
export function selfOperations(state: CognitoState): Record<string, UserOperation> {
  const unsupported =
    (name: string): UserOperation =>
    async () => {
      throw invalidParameter(`${name} is not supported by Forte: device tracking and passkeys are not available.`);
    };
  const ops: Record<string, UserOperation> = {
    async GetUser(input, ctx) {
      const { pool, user, clientId } = await userFromAccessToken(state, input.AccessToken, ctx);
      const client = await clientOfAccessToken(state, clientId);
      const mfaList = [...(user.mfa.smsEnabled ? ['SMS_MFA'] : []), ...(user.mfa.totpEnabled ? ['SOFTWARE_TOKEN_MFA'] : [])];
      return {
        Username: user.username,
        // Only what the client reads (ReadAttributes) and the pool knows: reserved names stored before never show.
        UserAttributes: [{ Name: 'sub', Value: user.sub }, ...readableAttributes(pool, client, user).map(([Name, Value]) => ({ Name, Value }))],
        ...(mfaList.length > 0 ? { UserMFASettingList: mfaList } : {}),
        ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
      };
    },

    async UpdateUserAttributes(input, ctx) {
      const { pool, user, clientId } = await userFromAccessToken(state, input.AccessToken, ctx);
      const changes = parseAttributes(input.UserAttributes, 'UserAttributes');
      // Every attribute is checked before any is written: a refusal leaves the user as it was.
      checkUserWrite(pool, await clientOfAccessToken(state, clientId), changes, user);
      await assertAliasFree(state, pool, user, changes);
      const autoVerified: readonly string[] = pool.config.AutoVerifiedAttributes ?? [];
      const sendsCode = (name: string, value: string): boolean =>
        verifiesBeforeUpdate(pool, user, name, value) || (user.attributes[name] !== value && VERIFIABLE.includes(name) && autoVerified.includes(name));
      // A code to a new address counts like any other code sent: a signed-in user cannot mail codes without limit.
      if (Object.entries(changes).some(([name, value]) => sendsCode(name, value)))
        await limitCodeSend(state, attempter(pool, user, user.username, state.kernel.clientAddress(ctx.req)));
      const deliveries: unknown[] = [];
      for (const [name, value] of Object.entries(changes)) {
        if (verifiesBeforeUpdate(pool, user, name, value)) {
          deliveries.push(
            await holdForVerification(state, pool, user, name, value, {
              clientId,
              clientMetadata: clientMetadataOf(input),
              triggerSource: 'CustomMessage_UpdateUserAttribute',
            }),
          );
          continue;
        }
        const changed = user.attributes[name] !== value;
        user.attributes[name] = value;
        if (changed && VERIFIABLE.includes(name) && autoVerified.includes(name)) {
          user.attributes[`${name}_verified`] = 'false';
          await state.users.update(user);
          const code = await state.users.newCode(pool.id, user.username, `verify:${name}`, CODE_TTL_MS.attribute);
          deliveries.push(
            await deliverCode(state, pool, user, 'VerifyAttribute', code, name, {
              clientId,
              clientMetadata: clientMetadataOf(input),
              triggerSource: 'CustomMessage_UpdateUserAttribute',
            }),
          );
        }
      }
      await state.users.update(user);
      return { CodeDeliveryDetailsList: deliveries };
    },

    async GetUserAttributeVerificationCode(input, ctx) {
      const { pool, user, clientId } = await userFromAccessToken(state, input.AccessToken, ctx);
      const name = str(input, 'AttributeName');
      if (!VERIFIABLE.includes(name) || !user.attributes[name]) throw invalidParameter(`The user has no ${name} to verify.`);
      await limitCodeSend(state, attempter(pool, user, user.username, state.kernel.clientAddress(ctx.req)));
      // A change waiting for verification gets a new code at its new value.
      const pending = await state.users.pendingValue(pool.id, user.username, `verify:${name}`);
      const caller = { clientId, clientMetadata: clientMetadataOf(input), triggerSource: 'CustomMessage_VerifyUserAttribute' };
      if (pending !== undefined) return { CodeDeliveryDetails: await holdForVerification(state, pool, user, name, pending, caller) };
      const code = await state.users.newCode(pool.id, user.username, `verify:${name}`, CODE_TTL_MS.attribute);
      return { CodeDeliveryDetails: await deliverCode(state, pool, user, 'VerifyAttribute', code, name, caller) };
    },

    async VerifyUserAttribute(input, ctx) {
      const { pool, user } = await userFromAccessToken(state, input.AccessToken, ctx);
      const name = str(input, 'AttributeName');
      const code = str(input, 'Code');
      const { result, pendingValue } = await limitedCodeEntry(state, attempter(pool, user, user.username, state.kernel.clientAddress(ctx.req)), () =>
        state.users.useCodeFor(pool.id, user.username, `verify:${name}`, code),
      );
      assertCodeAccepted(result);
      if (pendingValue !== undefined) {
        // The new value was free when it was asked for; another user may have taken it since.
        await assertAliasFree(state, pool, user, { [name]: pendingValue });
        user.attributes[name] = pendingValue;
      }
      user.attributes[`${name}_verified`] = 'true';
      await state.users.update(user);
      return {};
    },

    async DeleteUserAttributes(input, ctx) {
      const { pool, user, clientId } = await userFromAccessToken(state, input.AccessToken, ctx);
      const names = input.UserAttributeNames;
      if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string'))
        throw invalidParameter('UserAttributeNames must be a list of names.');
      // Deleting is writing an empty value: the same rules (and an immutable attribute keeps its value).
      checkUserWrite(pool, await clientOfAccessToken(state, clientId), Object.fromEntries(names.map((n) => [n, ''])), user);
      const required = names.filter((n) => requiredAttributes(pool).includes(n));
      if (required.length > 0) throw invalidParameter(`Cannot delete required attributes: ${required.join(', ')}`);
      for (const name of names) {
        delete user.attributes[name];
        delete user.attributes[`${name}_verified`];
      }
      await state.users.update(user);
      return {};
    },

    async ChangePassword(input, ctx) {
      const { pool, user } = await userFromAccessToken(state, input.AccessToken, ctx);
      const previous = str(input, 'PreviousPassword');
      const proposed = str(input, 'ProposedPassword');
      // Checked first, so a weak new password is not counted as a wrong previous one.
      checkPasswordPolicy(pool.config, proposed);
      // Wrong previous passwords count like failed sign-ins too, so guesses cannot be split between the two.
      const address = state.kernel.clientAddress(ctx.req);
      const signInKey = `${pool.id}/${user.username}`;
      const blocked = await state.limiter.blocked(signInKey, address);
      if (blocked === 'user') throw attemptLimitExceeded();
      if (blocked === 'address') throw cognitoError('TooManyRequestsException', 'Too many failed sign-in attempts from this address: wait a few minutes.');
      const hash = user.passwordHash;
      const ok = await limitedPasswordCheck(
        state,
        attempter(pool, user, user.username, address),
        async () => hash !== undefined && (await checkPassword(previous, hash)),
      );
      if (!ok) {
        await state.limiter.fail(signInKey, address);
        throw cognitoError('NotAuthorizedException', 'Incorrect username or password.');
      }
      await setPassword(pool, user, proposed);
      await state.users.update(user);
      return {};
    },

    async DeleteUser(input, ctx) {
      const { pool, user } = await userFromAccessToken(state, input.AccessToken, ctx);
      await state.users.delete(pool.id, user.username);
      return {};
    },

    async SetUserMFAPreference(input, ctx) {
      const { user } = await userFromAccessToken(state, input.AccessToken, ctx);
      const sms = input.SMSMfaSettings as { Enabled?: boolean; PreferredMfa?: boolean } | undefined;
      const totp = input.SoftwareTokenMfaSettings as { Enabled?: boolean; PreferredMfa?: boolean } | undefined;
      if (input.EmailMfaSettings !== undefined) throw invalidParameter('Email MFA is not supported by Forte.');
      if (totp?.Enabled === true && !user.mfa.totpVerified) throw invalidParameter('User has not verified software token mfa');
      if (sms?.Enabled === true && !user.attributes.phone_number) throw invalidParameter('User does not have a phone number for SMS MFA.');
      const mfa = { ...user.mfa };
      if (sms?.Enabled !== undefined) mfa.smsEnabled = sms.Enabled;
      if (totp?.Enabled !== undefined) mfa.totpEnabled = totp.Enabled;
      if (sms?.PreferredMfa === true) mfa.preferred = 'SMS_MFA';
      if (totp?.PreferredMfa === true) mfa.preferred = 'SOFTWARE_TOKEN_MFA';
      if ((mfa.preferred === 'SMS_MFA' && !mfa.smsEnabled) || (mfa.preferred === 'SOFTWARE_TOKEN_MFA' && !mfa.totpEnabled)) mfa.preferred = undefined;
      user.mfa = mfa;
      await state.users.update(user);
      return {};
    },

    async AssociateSoftwareToken(input, ctx) {
      const secret = newTotpSecret();
      if (typeof input.Session === 'string') {
        const session = await state.sessions.take(input.Session, undefined);
        return { SecretCode: secret, Session: await state.sessions.create({ ...session, pendingTotpSecret: secret, totpVerified: false }) };
      }
      const { user } = await userFromAccessToken(state, input.AccessToken, ctx);
      user.totpSecret = secret;
      user.mfa = { ...user.mfa, totpEnabled: false, totpVerified: false };
      await state.users.update(user);
      return { SecretCode: secret };
    },

    async VerifySoftwareToken(input, ctx) {
      const code = str(input, 'UserCode');
      if (typeof input.Session === 'string') {
        const session = await state.sessions.take(input.Session, undefined);
        if (!session.pendingTotpSecret || !verifyTotp(session.pendingTotpSecret, code)) throw cognitoError('EnableSoftwareTokenMFAException', 'Code mismatch');
        return { Status: 'SUCCESS', Session: await state.sessions.create({ ...session, totpVerified: true }) };
      }
      const { user } = await userFromAccessToken(state, input.AccessToken, ctx);
      if (!user.totpSecret || !verifyTotp(user.totpSecret, code)) throw cognitoError('EnableSoftwareTokenMFAException', 'Code mismatch');
      user.mfa = { ...user.mfa, totpVerified: true };
      await state.users.update(user);
      return { Status: 'SUCCESS' };
    },
  };
  for (const name of [
    'ConfirmDevice',
    'ForgetDevice',
    'ListDevices',
    'UpdateDeviceStatus',
    'GetDevice',
    'StartWebAuthnRegistration',
    'CompleteWebAuthnRegistration',
    'ListWebAuthnCredentials',
    'DeleteWebAuthnCredential',
  ]) {
    ops[name] = unsupported(name);
  }
  return ops;
}
