import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOSTED_UI_PATH } from '@forte/protocol';
import type { RequestContext, Route } from '../../kernel/types.js';
import {
  AUTHORIZE_PARAMETERS,
  checkAuthorizeRequest,
  clientTakesPasswords,
  redirectWith,
  type AuthorizeRefusal,
  type AuthorizeRequest,
} from './authorize-request.js';
import { type CognitoState } from './cognito-state.js';
import { domainBaseUrl } from './hosted-ui-address.js';
import { cookie, cookiesOf, readForm, sendCss, sendPage, sendRedirect } from './hosted-ui-http.js';
import { accountPage, confirmAfterSignIn } from './hosted-ui-account.js';
import { sendCustomization } from './hosted-ui-customization.js';
import { beginMfa, submitMfa } from './hosted-ui-mfa.js';
import { idpResponse, startFederation } from './federation-route.js';
import { samlIdpResponse } from './saml-federation.js';
import { setNewPassword, signInOnForm } from './hosted-ui-sign-in.js';
import { errorPage, HOSTED_UI_CSS, loginPage, newPasswordPage } from './login-page.js';
import type { OAuthGrants } from './oauth-grants.js';
import { HOSTED_SESSION_TTL_MS } from './oauth-grants.js';
import { handleRevoke, handleToken, handleUserInfo } from './oauth-token-endpoints.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { completeSignIn } from './signed-in-user.js';
import type { StoredUser } from './user-store.js';

const ENDPOINT =
  /^\/hosted-ui\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/(oauth2\/authorize|login|oauth2\/token|oauth2\/userInfo|oauth2\/revoke|logout|hosted-ui\.css|logo|signup|confirmUser|forgotPassword|confirmForgotPassword|oauth2\/idpresponse|saml2\/idpresponse)$/;
const SESSION_COOKIE = 'cognito';
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_TTL_SECONDS = 3600;
/** The challenge session between a proven temporary password and the new one. */
const HOSTED_NEW_PASSWORD = 'HOSTED_UI_NEW_PASSWORD';

/** What every endpoint of one domain shares. */
export interface DomainContext {
  state: CognitoState;
  grants: OAuthGrants;
  pool: StoredPool;
  domain: string;
  /** `<origin>/hosted-ui/<domain>`: the base of the domain's endpoints. */
  base: string;
  /** The cookie path, `/hosted-ui/<domain>`. */
  path: string;
  /** The app client the request names (query or form): its UI customization styles the pages. */
  clientId?: string | undefined;
}

/**
 * Cognito's hosted UI and OAuth 2.0 endpoints for each pool with a domain, under `/hosted-ui/<domain>/`:
 * `oauth2/authorize`, `login`, `oauth2/token`, `oauth2/userInfo`, `oauth2/revoke`, `logout`.
 */
export function createHostedUiRoute(state: CognitoState, grants: OAuthGrants): Route {
  return {
    name: 'cognito-idp-hosted-ui',
    errorFormat: 'json',
    match: { path: (_req, pathname) => pathname.startsWith(HOSTED_UI_PATH) && ENDPOINT.test(pathname) },
    async handle(ctx) {
      const [, domain = '', endpoint] = ENDPOINT.exec(ctx.url.pathname) ?? [];
      const method = ctx.req.method ?? 'GET';
      const base = domainBaseUrl(state.kernel, domain);
      if (endpoint === 'hosted-ui.css' && !ctx.url.searchParams.has('client_id')) return sendCss(ctx, HOSTED_UI_CSS);
      const pool = await state.pools.poolOfDomain(domain);
      const cssHref = `${HOSTED_UI_PATH}${domain}/hosted-ui.css`;
      if (!pool) return sendPage(ctx, 404, errorPage({ cssHref, error: 'not_found', description: `No user pool has the domain ${domain}.` }));
      const dc: DomainContext = {
        state,
        grants,
        pool,
        domain,
        base,
        path: `${HOSTED_UI_PATH}${domain}`,
        clientId: ctx.url.searchParams.get('client_id') ?? undefined,
      };
      const allowed = (methods: string[]): boolean => {
        if (methods.includes(method)) return true;
        ctx.res.writeHead(405, { allow: methods.join(', '), 'content-length': 0 });
        ctx.res.end();
        return false;
      };
      switch (endpoint) {
        case 'hosted-ui.css':
        case 'logo':
          return allowed(['GET', 'HEAD']) ? sendCustomization(ctx, dc, endpoint) : undefined;
        case 'oauth2/authorize':
          return allowed(['GET', 'HEAD']) ? authorize(ctx, dc) : undefined;
        case 'login':
          if (!allowed(['GET', 'HEAD', 'POST'])) return;
          return method === 'POST' ? submitLogin(ctx, dc) : showLogin(ctx, dc);
        case 'logout':
          return allowed(['GET', 'HEAD']) ? logout(ctx, dc) : undefined;
        case 'oauth2/token':
          return allowed(['POST']) ? handleToken(ctx, dc) : undefined;
        case 'oauth2/userInfo':
          return allowed(['GET', 'POST']) ? handleUserInfo(ctx, dc) : undefined;
        case 'oauth2/revoke':
          return allowed(['POST']) ? handleRevoke(ctx, dc) : undefined;
        case 'signup':
        case 'confirmUser':
        case 'forgotPassword':
        case 'confirmForgotPassword':
          if (!allowed(['GET', 'HEAD', 'POST'])) return;
          return accountPage(ctx, dc, endpoint, method);
        case 'oauth2/idpresponse':
          return allowed(['GET', 'POST']) ? idpResponse(ctx, dc, signedIn) : undefined;
        case 'saml2/idpresponse':
          return allowed(['POST']) ? samlIdpResponse(ctx, dc, signedIn) : undefined;
        default:
          return sendPage(ctx, 404, errorPage({ cssHref, error: 'not_found', description: 'No such page.' }));
      }
    },
  };
}

export const cssOf = (dc: DomainContext): string =>
  `${dc.path}/hosted-ui.css${dc.clientId ? `?${new URLSearchParams({ client_id: dc.clientId }).toString()}` : ''}`;

/** A refused request: on the hosted UI when no redirect URI can be trusted, else back to the app with the error. */
export function refuse(ctx: RequestContext, dc: DomainContext, refusal: AuthorizeRefusal): void {
  if (refusal.kind === 'page') return sendPage(ctx, 400, errorPage({ cssHref: cssOf(dc), error: refusal.error, description: refusal.description }));
  sendRedirect(
    ctx,
    redirectWith(refusal.redirectUri, refusal.responseType, { error: refusal.error, error_description: refusal.description, state: refusal.state }),
  );
}

/** The user a hosted-UI session cookie stands for, while they may still sign in. */
async function sessionUser(ctx: RequestContext, dc: DomainContext): Promise<{ user: StoredUser; authTime: number } | undefined> {
  const value = cookiesOf(ctx).get(SESSION_COOKIE);
  const session = value ? await dc.grants.session(dc.pool.id, value) : undefined;
  const user = session ? await dc.state.users.get(dc.pool.id, session.username) : undefined;
  return session && user?.enabled && (user.status === 'CONFIRMED' || user.status === 'EXTERNAL_PROVIDER') ? { user, authTime: session.authTime } : undefined;
}

/** The answer to an authorized request: a code, or (implicit flow) the tokens in the fragment. */
async function grant(ctx: RequestContext, dc: DomainContext, request: AuthorizeRequest, user: StoredUser, authTime: number, cookies: string[]): Promise<void> {
  if (request.responseType === 'code') {
    const code = await dc.grants.issueCode({
      poolId: dc.pool.id,
      clientId: request.client.id,
      username: user.username,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      authTime,
    });
    return sendRedirect(ctx, redirectWith(request.redirectUri, 'code', { code, state: request.state }), cookies);
  }
  const result = (await completeSignIn(dc.state, dc.pool, request.client, user, {
    oauth: { scopes: request.scopes, nonce: request.nonce, authTime },
  })) as { AuthenticationResult: { AccessToken: string; IdToken: string; ExpiresIn: number } };
  const tokens = result.AuthenticationResult;
  sendRedirect(
    ctx,
    redirectWith(request.redirectUri, 'token', {
      ...(request.scopes.includes('openid') ? { id_token: tokens.IdToken } : {}),
      access_token: tokens.AccessToken,
      expires_in: String(tokens.ExpiresIn),
      token_type: 'Bearer',
      state: request.state,
    }),
    cookies,
  );
}

/** The authorize parameters of a request, to carry on to the login page and its form. */
export function carried(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of AUTHORIZE_PARAMETERS) {
    const value = params.get(name);
    if (value !== null && value !== '') out[name] = value;
  }
  return out;
}

async function authorize(ctx: RequestContext, dc: DomainContext): Promise<void> {
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, ctx.url.searchParams);
  if (!checked.ok) return refuse(ctx, dc, checked.refusal);
  const { request } = checked;
  if (request.provider) return startFederation(ctx, dc, request, request.provider, carried(ctx.url.searchParams));
  // A HEAD request (a link checker, a prefetch) is answered as if nobody were signed in: no code is issued for it.
  const signedIn = request.prompt === 'login' || ctx.req.method === 'HEAD' ? undefined : await sessionUser(ctx, dc);
  if (signedIn) return grant(ctx, dc, request, signedIn.user, signedIn.authTime, []);
  if (request.prompt === 'none')
    return sendRedirect(ctx, redirectWith(request.redirectUri, request.responseType, { error: 'login_required', state: request.state }));
  const query = new URLSearchParams(carried(ctx.url.searchParams));
  query.delete('prompt');
  sendRedirect(ctx, `${dc.base}/login?${query.toString()}`);
}

/** The sign-in form, with a fresh CSRF token in its cookie and in the form (double submit). */
export async function renderLogin(
  ctx: RequestContext,
  dc: DomainContext,
  params: Record<string, string>,
  status: number,
  extra: { error?: string; username?: string; notice?: string } = {},
): Promise<void> {
  const csrf = randomBytes(32).toString('base64url');
  const emailSignIn = (dc.pool.config.UsernameAttributes ?? []).includes('email');
  const client = params.client_id ? await dc.state.pools.getClient(params.client_id) : undefined;
  const ours = client?.poolId === dc.pool.id ? client : undefined;
  const providers = providerButtons(dc, ours, params);
  const passwords = clientTakesPasswords(ours);
  sendPage(
    ctx,
    status,
    loginPage({
      action: `${dc.path}/login`,
      cssHref: cssOf(dc),
      hidden: params,
      csrf,
      usernameLabel: emailSignIn ? 'Email' : 'Username',
      ...(passwords ? { links: accountLinks(dc, params) } : {}),
      passwordForm: passwords,
      providers,
      ...extra,
    }),
    [cookie(ctx, dc.path, CSRF_COOKIE, csrf, CSRF_TTL_SECONDS, dc.base.startsWith('https://'))],
  );
}

/** The login page's buttons for the client's federated providers: the same authorize request, naming the provider. */
function providerButtons(dc: DomainContext, client: StoredClient | undefined, params: Record<string, string>): Array<{ name: string; href: string }> {
  const supported = (client?.oauth?.SupportedIdentityProviders ?? []).filter((name) => name !== 'COGNITO');
  return supported.map((name) => {
    const query = new URLSearchParams({ ...params, identity_provider: name });
    query.delete('prompt');
    return { name, href: `${dc.base}/oauth2/authorize?${query.toString()}` };
  });
}

async function showLogin(ctx: RequestContext, dc: DomainContext): Promise<void> {
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, ctx.url.searchParams);
  if (!checked.ok) return refuse(ctx, dc, checked.refusal);
  await renderLogin(ctx, dc, carried(ctx.url.searchParams), 200);
}

/** The answer to a password form sent for a client that signs in with identity providers only. */
export const PASSWORDS_REFUSED = 'This app signs in with the providers above, not with a user name and password.';

export function sameSecret(a: string | undefined, b: string | null): boolean {
  if (!a || !b) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function submitLogin(ctx: RequestContext, dc: DomainContext): Promise<void> {
  const form = await readForm(ctx);
  if (!form) return sendPage(ctx, 400, errorPage({ cssHref: cssOf(dc), error: 'invalid_request', description: 'The sign-in form must be sent as a form.' }));
  dc.clientId = form.get('client_id') ?? undefined;
  if (!sameSecret(cookiesOf(ctx).get(CSRF_COOKIE), form.get('_csrf')))
    return sendPage(
      ctx,
      403,
      errorPage({
        cssHref: cssOf(dc),
        error: 'invalid_request',
        description: 'This sign-in form expired or was not sent from this page: go back to the app and sign in again.',
      }),
    );
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, form);
  if (!checked.ok) return refuse(ctx, dc, checked.refusal);
  if (!clientTakesPasswords(checked.request.client)) return renderLogin(ctx, dc, carried(form), 400, { error: PASSWORDS_REFUSED });
  if (form.get('step') === 'new_password') return submitNewPassword(ctx, dc, form, checked.request);
  if (form.get('step') === 'mfa') return submitMfa(ctx, dc, form, checked.request);
  const typed = form.get('username') ?? '';
  const outcome = await signInOnForm(dc.state, dc.pool, checked.request.client, typed, form.get('password') ?? '', dc.state.kernel.clientAddress(ctx.req));
  if (outcome.ok === false) return renderLogin(ctx, dc, carried(form), 400, { error: outcome.message, username: typed });
  if (outcome.ok === 'new-password') return renderNewPassword(ctx, dc, form, checked.request, outcome.user.username, 200);
  if (outcome.ok === 'mfa') return beginMfa(ctx, dc, carried(form), checked.request, outcome.user);
  if (outcome.ok === 'unconfirmed') return confirmAfterSignIn(ctx, dc, checked.request, carried(form), typed, outcome.user);
  await signedIn(ctx, dc, checked.request, outcome.user);
}

/** A proven sign-in: the hosted-UI session starts, and the app gets its code or tokens. */
export async function signedIn(ctx: RequestContext, dc: DomainContext, request: AuthorizeRequest, user: StoredUser): Promise<void> {
  const authTime = Math.floor(Date.now() / 1000);
  const session = await dc.grants.startSession(dc.pool.id, user.username, authTime);
  const secure = dc.base.startsWith('https://');
  await grant(ctx, dc, request, user, authTime, [
    cookie(ctx, dc.path, SESSION_COOKIE, session, HOSTED_SESSION_TTL_MS / 1000, secure),
    cookie(ctx, dc.path, CSRF_COOKIE, '', 0, secure),
  ]);
}

/**
 * The new-password form, for a user whose temporary password was just proven: that proof is a 3-minute
 * challenge session (SQL, hashed, answered once, by this client only), as RespondToAuthChallenge's.
 */
async function renderNewPassword(
  ctx: RequestContext,
  dc: DomainContext,
  form: URLSearchParams,
  request: AuthorizeRequest,
  username: string,
  status: number,
  error?: string,
): Promise<void> {
  const session = await dc.state.sessions.create({ poolId: dc.pool.id, clientId: request.client.id, username, challenge: HOSTED_NEW_PASSWORD });
  const csrf = randomBytes(32).toString('base64url');
  sendPage(ctx, status, newPasswordPage({ action: `${dc.path}/login`, cssHref: cssOf(dc), hidden: { ...carried(form), session }, csrf, error }), [
    cookie(ctx, dc.path, CSRF_COOKIE, csrf, CSRF_TTL_SECONDS, dc.base.startsWith('https://')),
  ]);
}

async function submitNewPassword(ctx: RequestContext, dc: DomainContext, form: URLSearchParams, request: AuthorizeRequest): Promise<void> {
  let username: string;
  try {
    const taken = await dc.state.sessions.take(form.get('session') ?? undefined, request.client.id);
    if (taken.challenge !== HOSTED_NEW_PASSWORD || taken.poolId !== dc.pool.id) throw new Error('another step');
    username = taken.username;
  } catch {
    return renderLogin(ctx, dc, carried(form), 400, { error: 'That step expired: sign in again with your temporary password.' });
  }
  const user = await dc.state.users.get(dc.pool.id, username);
  if (!user?.enabled || user.status !== 'FORCE_CHANGE_PASSWORD')
    return renderLogin(ctx, dc, carried(form), 400, { error: 'That step expired: sign in again with your temporary password.' });
  const outcome = await setNewPassword(dc.state, dc.pool, user, form.get('new_password') ?? '', form.get('confirm_password') ?? '');
  if (!outcome.ok) return renderNewPassword(ctx, dc, form, request, username, 400, outcome.message);
  await beginMfa(ctx, dc, carried(form), request, user);
}

/**
 * Ends the hosted-UI session and sends the browser to `logout_uri`, which must be exactly one of the client's
 * LogoutURLs. Tokens already issued stay valid until they expire or are revoked, as in Cognito.
 */
async function logout(ctx: RequestContext, dc: DomainContext): Promise<void> {
  const params = ctx.url.searchParams;
  const clientId = params.get('client_id');
  const logoutUri = params.get('logout_uri');
  const page = (error: string, description: string): void => sendPage(ctx, 400, errorPage({ cssHref: cssOf(dc), error, description }));
  if (!clientId) return page('invalid_request', 'client_id is missing: the app must name its app client.');
  const client = await dc.state.pools.getClient(clientId);
  if (!client || client.poolId !== dc.pool.id) return page('invalid_client', `No app client ${clientId} in this user pool.`);
  if (!logoutUri) return page('invalid_request', 'logout_uri is missing: name where to go after signing out (one of the LogoutURLs).');
  if (!client.oauth?.AllowedOAuthFlowsUserPoolClient || !client.oauth.LogoutURLs.includes(logoutUri))
    return page('redirect_mismatch', `logout_uri ${logoutUri} is not one of the app client's sign-out URLs; add it to LogoutURLs or use one of them.`);
  const value = cookiesOf(ctx).get(SESSION_COOKIE);
  if (value) await dc.grants.endSession(value);
  sendRedirect(ctx, logoutUri, [cookie(ctx, dc.path, SESSION_COOKIE, '', 0, dc.base.startsWith('https://'))]);
}

/** The login page's links to the sign-up and forgot-password pages, carrying the authorize request on. */
function accountLinks(dc: DomainContext, params: Record<string, string>): { signUp: string; forgotPassword: string } {
  const query = new URLSearchParams(params).toString();
  return { signUp: `${dc.path}/signup?${query}`, forgotPassword: `${dc.path}/forgotPassword?${query}` };
}
