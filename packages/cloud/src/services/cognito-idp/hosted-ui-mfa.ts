import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../kernel/types.js';
import type { AuthorizeRequest } from './authorize-request.js';
import { deliverCode } from './deliver-code.js';
import { cookie, sendPage, userFacingMessage } from './hosted-ui-http.js';
import { mfaPage, type MfaKind } from './hosted-ui-pages.js';
import { carried, cssOf, CSRF_COOKIE, CSRF_TTL_SECONDS, type DomainContext, renderLogin, signedIn } from './hosted-ui-route.js';
import { attempter, limitedCodeEntry, limitedTotpEntry } from './limited-requests.js';
import type { StoredPool } from './pool-store.js';
import { matchTotp, newTotpSecret, verifyTotp } from './totp.js';
import { CODE_TTL_MS, type StoredUser } from './user-store.js';

/** Challenge sessions of the hosted UI's MFA page carry this prefix, so RespondToAuthChallenge never takes one. */
const PREFIX = 'HOSTED_UI_';
const EXPIRED = 'That step expired: sign in again.';

/**
 * The second factor the pool asks of a user whose password was just proven, as InitiateAuth's next step
 * (sign-in-step.ts) decides it: their TOTP app, else a code sent to their phone, else, when the pool requires
 * MFA and the user has none, setting up a TOTP app. Undefined: no second factor.
 */
export function mfaStepOf(pool: StoredPool, user: StoredUser): MfaKind | undefined {
  const mode = pool.config.MfaConfiguration ?? 'OFF';
  if (mode === 'OFF') return undefined;
  const totp = user.mfa.totpEnabled && user.totpSecret !== undefined;
  const sms = user.mfa.smsEnabled && user.attributes.phone_number !== undefined;
  if (totp && (!sms || user.mfa.preferred !== 'SMS_MFA')) return 'SOFTWARE_TOKEN_MFA';
  if (sms) return 'SMS_MFA';
  return mode === 'ON' ? 'MFA_SETUP' : undefined;
}

/** After a proven password: the MFA page when the pool asks for a second factor, else the app gets its code. */
export async function beginMfa(
  ctx: RequestContext,
  dc: DomainContext,
  params: Record<string, string>,
  request: AuthorizeRequest,
  user: StoredUser,
): Promise<void> {
  const kind = mfaStepOf(dc.pool, user);
  if (kind === undefined) return signedIn(ctx, dc, request, user);
  if (kind === 'MFA_SETUP' && !(dc.pool.config.EnabledMfas ?? ['SOFTWARE_TOKEN_MFA']).includes('SOFTWARE_TOKEN_MFA'))
    return renderLogin(ctx, dc, params, 400, {
      error: 'This user pool requires MFA by text message, and your account has no phone number: ask the app’s administrator to add one.',
    });
  let destination: string | undefined;
  if (kind === 'SMS_MFA') {
    try {
      const code = await dc.state.users.newCode(dc.pool.id, user.username, 'mfa', CODE_TTL_MS.mfa);
      destination = (await deliverCode(dc.state, dc.pool, user, 'Mfa', code, 'phone_number', { clientId: request.client.id, clientMetadata: undefined }))
        .Destination;
    } catch (error) {
      return renderLogin(ctx, dc, params, 400, { error: userFacingMessage(error) });
    }
  }
  await renderMfa(ctx, dc, params, request, user, { kind, destination, secret: kind === 'MFA_SETUP' ? newTotpSecret() : undefined }, 200);
}

async function renderMfa(
  ctx: RequestContext,
  dc: DomainContext,
  params: Record<string, string>,
  request: AuthorizeRequest,
  user: StoredUser,
  step: { kind: MfaKind; destination: string | undefined; secret: string | undefined },
  status: number,
  error?: string,
): Promise<void> {
  const session = await dc.state.sessions.create({
    poolId: dc.pool.id,
    clientId: request.client.id,
    username: user.username,
    challenge: `${PREFIX}${step.kind}`,
    ...(step.secret ? { pendingTotpSecret: step.secret } : {}),
  });
  const csrf = randomBytes(32).toString('base64url');
  const issuer = dc.pool.config.PoolName ?? dc.domain;
  sendPage(
    ctx,
    status,
    mfaPage({
      action: `${dc.path}/login`,
      cssHref: cssOf(dc),
      hidden: { ...params, session, ...(step.destination ? { destination: step.destination } : {}) },
      csrf,
      kind: step.kind,
      destination: step.destination,
      secret: step.secret,
      otpauth: step.secret
        ? `otpauth://totp/${encodeURIComponent(`${issuer}:${user.attributes.email ?? user.username}`)}?secret=${step.secret}&issuer=${encodeURIComponent(issuer)}`
        : undefined,
      error,
    }),
    [cookie(ctx, dc.path, CSRF_COOKIE, csrf, CSRF_TTL_SECONDS, dc.base.startsWith('https://'))],
  );
}

/**
 * The code typed on the MFA page, checked as RespondToAuthChallenge checks it: counted with the user's other
 * codes, a wrong one a failed sign-in, a TOTP code good once; a new TOTP app is the user's once it answered.
 */
export async function submitMfa(ctx: RequestContext, dc: DomainContext, form: URLSearchParams, request: AuthorizeRequest): Promise<void> {
  const params = carried(form);
  let taken;
  try {
    taken = await dc.state.sessions.take(form.get('session') ?? undefined, request.client.id);
  } catch {
    return renderLogin(ctx, dc, params, 400, { error: EXPIRED });
  }
  const kind = taken.challenge.startsWith(PREFIX) ? (taken.challenge.slice(PREFIX.length) as MfaKind) : undefined;
  const user = await dc.state.users.get(dc.pool.id, taken.username);
  if (!kind || taken.poolId !== dc.pool.id || !user?.enabled || mfaStepOf(dc.pool, user) !== kind) return renderLogin(ctx, dc, params, 400, { error: EXPIRED });
  const typed = (form.get('code') ?? '').trim();
  const address = dc.state.kernel.clientAddress(ctx.req);
  const again = (error: string): Promise<void> =>
    renderMfa(ctx, dc, params, request, user, { kind, destination: form.get('destination') ?? undefined, secret: taken.pendingTotpSecret }, 400, error);
  if (!/^\d{6}$/.test(typed)) return again('Enter the 6-digit code.');
  const mismatch = async (): Promise<void> => {
    await dc.state.limiter.fail(`${dc.pool.id}/${user.username}`, address);
    return again('That code is not right: check it and try again.');
  };
  try {
    if ((await dc.state.limiter.blocked(`${dc.pool.id}/${user.username}`, address)) !== undefined)
      return renderLogin(ctx, dc, params, 400, { error: 'Password attempts exceeded: wait a few minutes before you try again.' });
    const who = attempter(dc.pool, user, user.username, address);
    if (kind === 'SOFTWARE_TOKEN_MFA') {
      const secret = user.totpSecret;
      const step = await limitedTotpEntry(dc.state, who, async () => (secret === undefined ? undefined : matchTotp(secret, typed)));
      if (step === undefined) return await mismatch();
      if (step <= (user.mfa.totpLastStep ?? -1)) return await again('That code was already used: wait for the next one in your app.');
      user.mfa = { ...user.mfa, totpLastStep: step };
      await dc.state.users.update(user);
    } else if (kind === 'SMS_MFA') {
      const result = await limitedCodeEntry(dc.state, who, () => dc.state.users.useCode(dc.pool.id, user.username, 'mfa', typed), { mfa: true });
      if (result === 'expired') return renderLogin(ctx, dc, params, 400, { error: 'That code has expired: sign in again for a new one.' });
      if (result !== 'ok') return await mismatch();
    } else {
      const secret = taken.pendingTotpSecret;
      if (!secret || !verifyTotp(secret, typed)) return await again('That code is not right: check the key in your authenticator app and try again.');
      user.totpSecret = secret;
      user.mfa = { ...user.mfa, totpEnabled: true, totpVerified: true, preferred: 'SOFTWARE_TOKEN_MFA' };
      await dc.state.users.update(user);
    }
  } catch (error) {
    return renderLogin(ctx, dc, params, 400, { error: userFacingMessage(error) });
  }
  await signedIn(ctx, dc, request, user);
}
