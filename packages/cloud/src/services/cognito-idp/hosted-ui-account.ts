import { createHmac, randomBytes } from 'node:crypto';
import type { RequestContext } from '../../kernel/types.js';
import { requiredAttributes } from './attribute-schema.js';
import { checkAuthorizeRequest, clientTakesPasswords, type AuthorizeRequest } from './authorize-request.js';
import { findUser } from './cognito-state.js';
import { cookie, cookiesOf, readForm, sendPage, userFacingMessage } from './hosted-ui-http.js';
import { beginMfa } from './hosted-ui-mfa.js';
import { type Field, formPage } from './hosted-ui-pages.js';
import { carried, cssOf, CSRF_COOKIE, CSRF_TTL_SECONDS, type DomainContext, PASSWORDS_REFUSED, refuse, renderLogin, sameSecret } from './hosted-ui-route.js';
import { errorPage } from './login-page.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { signUpOperations } from './sign-up-operations.js';
import type { StoredUser } from './user-store.js';

/** The challenge session that lets the browser which signed up be signed in once it confirmed the code. */
const SIGN_UP_PROOF = 'HOSTED_UI_SIGN_UP';

export type AccountEndpoint = 'signup' | 'confirmUser' | 'forgotPassword' | 'confirmForgotPassword';

const LABELS: Record<string, string> = {
  email: 'Email',
  phone_number: 'Phone number',
  given_name: 'Given name',
  family_name: 'Family name',
  middle_name: 'Middle name',
  preferred_username: 'Preferred username',
  birthdate: 'Birthdate',
  zoneinfo: 'Time zone',
  updated_at: 'Updated at',
};
const labelOf = (name: string): string => LABELS[name] ?? (name.charAt(0).toUpperCase() + name.slice(1)).replace(/^Custom:/, '').replace(/_/g, ' ');

/** The field a user types their sign-in name in: an email or phone number when the pool signs in with them. */
function usernameField(pool: StoredPool, value: string | undefined): Field {
  const kinds = pool.config.UsernameAttributes ?? [];
  if (kinds.includes('email')) return { name: 'username', label: 'Email', type: 'email', autocomplete: 'email', value };
  if (kinds.includes('phone_number'))
    return { name: 'username', label: 'Phone number', type: 'tel', autocomplete: 'tel', value, hint: 'With the country code: +15555550100.' };
  return { name: 'username', label: 'Username', autocomplete: 'username', value };
}

/** The attributes the sign-up page asks for: the pool's required ones, besides the one typed as the username. */
function signUpAttributes(pool: StoredPool): string[] {
  const asUsername = pool.config.UsernameAttributes ?? [];
  return requiredAttributes(pool).filter((name) => !(asUsername.includes(name as 'email' | 'phone_number') && asUsername.length === 1));
}

function attributeField(name: string, value: string | undefined): Field {
  if (name === 'email') return { name: `attribute_${name}`, label: labelOf(name), type: 'email', autocomplete: 'email', value };
  if (name === 'phone_number')
    return { name: `attribute_${name}`, label: labelOf(name), type: 'tel', autocomplete: 'tel', value, hint: 'With the country code: +15555550100.' };
  if (name === 'birthdate') return { name: `attribute_${name}`, label: labelOf(name), value, hint: 'As YYYY-MM-DD.' };
  const autocomplete: Record<string, string> = { name: 'name', given_name: 'given-name', family_name: 'family-name', nickname: 'nickname' };
  return { name: `attribute_${name}`, label: labelOf(name), value, ...(autocomplete[name] ? { autocomplete: autocomplete[name] } : {}) };
}

function passwordHint(pool: StoredPool): string {
  const policy = pool.config.PasswordPolicy ?? {};
  const needs = [
    policy.RequireLowercase !== false ? 'a lowercase letter' : '',
    policy.RequireUppercase !== false ? 'an uppercase letter' : '',
    policy.RequireNumbers !== false ? 'a number' : '',
    policy.RequireSymbols !== false ? 'a symbol' : '',
  ].filter(Boolean);
  return `At least ${policy.MinimumLength ?? 8} characters${needs.length > 0 ? `, with ${needs.join(', ')}` : ''}.`;
}

/** SECRET_HASH for a client with a secret: the hosted UI calls the API's operations as that client. */
function secretHashOf(client: StoredClient, username: string): Record<string, string> {
  return client.secret === undefined ? {} : { SecretHash: createHmac('sha256', client.secret).update(`${username}${client.id}`).digest('base64') };
}

/**
 * Cognito's account pages: `signup` (the pool's required attributes, its password policy and PreSignUp through
 * SignUp itself), `confirmUser` (ConfirmSignUp; the browser that signed up is then signed in), `forgotPassword`
 * and `confirmForgotPassword` (ForgotPassword / ConfirmForgotPassword: an unknown user gets the same answer as
 * a known one unless the client is LEGACY). Every page carries the authorize request, every post its CSRF token.
 */
export async function accountPage(ctx: RequestContext, dc: DomainContext, endpoint: AccountEndpoint, method: string): Promise<void> {
  const post = method === 'POST';
  const form = post ? await readForm(ctx) : ctx.url.searchParams;
  if (!form) return sendPage(ctx, 400, errorPage({ cssHref: cssOf(dc), error: 'invalid_request', description: 'The form must be sent as a form.' }));
  dc.clientId = form.get('client_id') ?? undefined;
  if (post && !sameSecret(cookiesOf(ctx).get(CSRF_COOKIE), form.get('_csrf')))
    return sendPage(
      ctx,
      403,
      errorPage({
        cssHref: cssOf(dc),
        error: 'invalid_request',
        description: 'This form expired or was not sent from this page: go back to the app and sign in again.',
      }),
    );
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, form);
  if (!checked.ok) return refuse(ctx, dc, checked.refusal);
  // Sign-up, confirmation and password resets are for the pool's own users: a client of providers only has none.
  if (!clientTakesPasswords(checked.request.client)) return renderLogin(ctx, dc, carried(form), 400, { error: PASSWORDS_REFUSED });
  const page = new AccountPages(ctx, dc, checked.request, carried(form));
  const value = (name: string): string => (form.get(name) ?? '').trim();
  switch (endpoint) {
    case 'signup':
      return post ? page.submitSignUp(form) : page.signUp(200, {});
    case 'confirmUser':
      if (post && form.get('resend') === '1') return page.resend(value('username'), form.get('session') ?? undefined);
      return post ? page.submitConfirm(value('username'), value('code'), form.get('session') ?? undefined) : page.confirm(200, value('username'), {});
    case 'forgotPassword':
      return post ? page.submitForgot(value('username')) : page.forgot(200, value('username'));
    case 'confirmForgotPassword':
      return post ? page.submitConfirmForgot(form) : page.confirmForgot(200, value('username'), {});
  }
}

/**
 * The confirm page for an unconfirmed user who just proved their password on the login page: once the code is
 * right they are signed in, as after signing up here.
 */
export async function confirmAfterSignIn(
  ctx: RequestContext,
  dc: DomainContext,
  request: AuthorizeRequest,
  params: Record<string, string>,
  typed: string,
  user: StoredUser,
): Promise<void> {
  const session = await dc.state.sessions.create({ poolId: dc.pool.id, clientId: request.client.id, username: user.username, challenge: SIGN_UP_PROOF });
  new AccountPages(ctx, dc, request, params).confirm(200, typed, {
    notice: 'Your account is not confirmed yet: enter the code you were sent, or ask for a new one.',
    session,
  });
}

class AccountPages {
  private readonly operations;
  constructor(
    private readonly ctx: RequestContext,
    private readonly dc: DomainContext,
    private readonly request: AuthorizeRequest,
    private readonly params: Record<string, string>,
  ) {
    this.operations = signUpOperations(dc.state);
  }

  private send(status: number, render: (csrf: string) => string): void {
    const csrf = randomBytes(32).toString('base64url');
    sendPage(this.ctx, status, render(csrf), [cookie(this.ctx, this.dc.path, CSRF_COOKIE, csrf, CSRF_TTL_SECONDS, this.dc.base.startsWith('https://'))]);
  }

  private href(endpoint: string, extra: Record<string, string> = {}): string {
    return `${this.dc.path}/${endpoint}?${new URLSearchParams({ ...this.params, ...extra }).toString()}`;
  }

  private common(csrf: string, endpoint: string, hidden: Record<string, string>, extra: { error?: string | undefined; notice?: string | undefined }) {
    return {
      action: `${this.dc.path}/${endpoint}`,
      cssHref: cssOf(this.dc),
      hidden: { ...this.params, ...hidden },
      csrf,
      error: extra.error,
      notice: extra.notice,
      links: [{ href: `${this.dc.path}/login?${new URLSearchParams(this.params).toString()}`, text: 'Back to sign in' }],
    };
  }

  /** Runs one of the API's operations as the app's client; a refusal becomes the message it carries. */
  private async run(name: string, input: Record<string, unknown>): Promise<{ ok: true; output: Record<string, unknown> } | { ok: false; message: string }> {
    try {
      return { ok: true, output: (await this.operations[name]!({ ClientId: this.request.client.id, ...input }, this.ctx)) ?? {} };
    } catch (error) {
      return { ok: false, message: userFacingMessage(error) };
    }
  }

  signUp(status: number, extra: { error?: string; values?: URLSearchParams }): void {
    const pool = this.dc.pool;
    const fields = [
      usernameField(pool, extra.values?.get('username') ?? undefined),
      ...signUpAttributes(pool).map((name) => attributeField(name, extra.values?.get(`attribute_${name}`) ?? undefined)),
      { name: 'password', label: 'Password', type: 'password' as const, autocomplete: 'new-password', hint: passwordHint(pool) },
    ];
    this.send(status, (csrf) => formPage('Sign up', undefined, fields, 'Sign up', this.common(csrf, 'signup', {}, extra)));
  }

  async submitSignUp(form: URLSearchParams): Promise<void> {
    const typed = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    if (typed === '' || password === '') return this.signUp(400, { error: 'Fill in every field.', values: form });
    const attributes = signUpAttributes(this.dc.pool)
      .map((name) => ({ Name: name, Value: (form.get(`attribute_${name}`) ?? '').trim() }))
      .filter((a) => a.Value !== '');
    const result = await this.run('SignUp', { Username: typed, Password: password, UserAttributes: attributes, ...secretHashOf(this.request.client, typed) });
    if (!result.ok) return this.signUp(400, { error: result.message, values: form });
    const user = await findUser(this.dc.state, this.dc.pool, typed);
    if (!user) return this.signUp(400, { error: 'The account could not be created: try again.', values: form });
    if (result.output.UserConfirmed === true) return beginMfa(this.ctx, this.dc, this.params, this.request, user);
    const delivery = result.output.CodeDeliveryDetails as { Destination?: string } | undefined;
    if (!delivery)
      return renderLogin(this.ctx, this.dc, this.params, 200, {
        notice: 'Your account was created. An administrator must confirm it before you can sign in.',
      });
    const session = await this.dc.state.sessions.create({
      poolId: this.dc.pool.id,
      clientId: this.request.client.id,
      username: user.username,
      challenge: SIGN_UP_PROOF,
    });
    this.confirm(200, typed, { notice: `We sent a code to ${delivery.Destination ?? 'you'}. Enter it to confirm your account.`, session });
  }

  confirm(status: number, username: string, extra: { error?: string; notice?: string; session?: string | undefined }): void {
    const fields: Field[] = [
      ...(username === '' ? [usernameField(this.dc.pool, undefined)] : []),
      { name: 'code', label: 'Confirmation code', autocomplete: 'one-time-code', inputmode: 'numeric' },
    ];
    const hidden = { ...(username !== '' ? { username } : {}), ...(extra.session ? { session: extra.session } : {}) };
    this.send(status, (csrf) =>
      formPage('Confirm your account', undefined, fields, 'Confirm account', {
        ...this.common(csrf, 'confirmUser', hidden, extra),
        ...(username !== '' ? { secondary: { button: 'Resend code', hidden: { resend: '1' } } } : {}),
      }),
    );
  }

  /** ResendConfirmationCode: a new code to the same place (an unknown user hears the same, unless the client is LEGACY). */
  async resend(typed: string, session: string | undefined): Promise<void> {
    if (typed === '') return this.confirm(400, typed, { error: 'Enter your username first.', session });
    const result = await this.run('ResendConfirmationCode', { Username: typed, ...secretHashOf(this.request.client, typed) });
    if (!result.ok) return this.confirm(400, typed, { error: result.message, session });
    const delivery = result.output.CodeDeliveryDetails as { Destination?: string } | undefined;
    this.confirm(200, typed, { notice: `We sent a new code to ${delivery?.Destination ?? 'you'}.`, session });
  }

  async submitConfirm(typed: string, code: string, session: string | undefined): Promise<void> {
    if (typed === '' || code === '') return this.confirm(400, typed, { error: 'Enter the code you were sent.', session });
    const result = await this.run('ConfirmSignUp', { Username: typed, ConfirmationCode: code, ...secretHashOf(this.request.client, typed) });
    if (!result.ok) return this.confirm(400, typed, { error: result.message, session });
    const user = await findUser(this.dc.state, this.dc.pool, typed);
    let proven = false;
    try {
      const taken = await this.dc.state.sessions.take(session, this.request.client.id);
      proven = taken.challenge === SIGN_UP_PROOF && taken.poolId === this.dc.pool.id && taken.username === user?.username;
    } catch {
      // No proof (another browser, or more than three minutes): the user signs in with their password.
    }
    if (user?.enabled && proven) return beginMfa(this.ctx, this.dc, this.params, this.request, user);
    await renderLogin(this.ctx, this.dc, this.params, 200, { notice: 'Your account is confirmed: sign in.', username: typed });
  }

  forgot(status: number, username: string, error?: string): void {
    this.send(status, (csrf) =>
      formPage(
        'Forgot your password?',
        'Enter your username and we will send you a code to reset your password.',
        [usernameField(this.dc.pool, username)],
        'Reset my password',
        this.common(csrf, 'forgotPassword', {}, { error }),
      ),
    );
  }

  async submitForgot(typed: string): Promise<void> {
    if (typed === '') return this.forgot(400, '', 'Enter your username.');
    const result = await this.run('ForgotPassword', { Username: typed, ...secretHashOf(this.request.client, typed) });
    if (!result.ok) return this.forgot(400, typed, result.message);
    const delivery = result.output.CodeDeliveryDetails as { Destination?: string } | undefined;
    this.confirmForgot(200, typed, { notice: `We sent a password reset code to ${delivery?.Destination ?? 'you'}. Enter it below.` });
  }

  confirmForgot(status: number, username: string, extra: { error?: string; notice?: string }): void {
    const fields: Field[] = [
      ...(username === '' ? [usernameField(this.dc.pool, undefined)] : []),
      { name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'numeric' },
      { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: passwordHint(this.dc.pool) },
      { name: 'confirm_password', label: 'New password again', type: 'password', autocomplete: 'new-password' },
    ];
    this.send(status, (csrf) =>
      formPage(
        'Reset your password',
        undefined,
        fields,
        'Change password',
        this.common(csrf, 'confirmForgotPassword', username !== '' ? { username } : {}, extra),
      ),
    );
  }

  async submitConfirmForgot(form: URLSearchParams): Promise<void> {
    const typed = (form.get('username') ?? '').trim();
    const code = (form.get('code') ?? '').trim();
    const password = form.get('password') ?? '';
    if (typed === '' || code === '' || password === '') return this.confirmForgot(400, typed, { error: 'Fill in every field.' });
    if (password !== form.get('confirm_password'))
      return this.confirmForgot(400, typed, { error: 'The two passwords differ: type the same new password twice.' });
    const result = await this.run('ConfirmForgotPassword', {
      Username: typed,
      ConfirmationCode: code,
      Password: password,
      ...secretHashOf(this.request.client, typed),
    });
    if (!result.ok) return this.confirmForgot(400, typed, { error: result.message });
    await renderLogin(this.ctx, this.dc, this.params, 200, { notice: 'Your password was changed: sign in with it.', username: typed });
  }
}
