import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import type { RequestContext } from '../../kernel/types.js';
import { checkAuthorizeRequest, redirectWith, type AuthorizeRequest } from './authorize-request.js';
import { federatedUser, subjectOf } from './federated-user.js';
import { saveFederationState, takeFederationState, type SignedInHandler } from './federation-route.js';
import { readForm, sendPage, sendRedirect, userFacingMessage } from './hosted-ui-http.js';
import type { DomainContext } from './hosted-ui-route.js';
import { SAML_NAME_ID_CLAIM, type StoredIdentityProvider } from './identity-providers.js';
import { errorPage } from './login-page.js';
import { samlMetadataOf, SamlMetadataProblem, type SamlIdpMetadata } from './saml-metadata.js';
import type { StoredUser } from './user-store.js';

/** How far the identity provider's clock may be from this one. */
const CLOCK_SKEW_MS = 60_000;

/** The pool as a SAML service provider: its entity id (Cognito's `urn:amazon:cognito:sp:<pool id>`), the audience of every assertion. */
export const serviceProviderId = (poolId: string): string => `urn:amazon:cognito:sp:${poolId}`;

/** node-saml for one provider and one sign-in: the request id it sends (or, answering, expects back) is `requestId`. */
function samlFor(dc: DomainContext, metadata: SamlIdpMetadata, requestId: string): SAML {
  // Only this sign-in's request id is known: a response to another request (or to none) is refused. Its age is
  // the waiting sign-in's (at most 10 minutes, federation-route.ts); node-saml reads the value as the request's time.
  const oneRequest: CacheProvider = {
    saveAsync: async (key, value) => (key === requestId ? { value, createdAt: Date.now() } : null),
    getAsync: async (key) => (key === requestId ? new Date().toISOString() : null),
    removeAsync: async (key) => key,
  };
  return new SAML({
    entryPoint: metadata.ssoRedirectUrl,
    issuer: serviceProviderId(dc.pool.id),
    callbackUrl: `${dc.base}/saml2/idpresponse`,
    idpCert: metadata.certificates,
    idpIssuer: metadata.entityId,
    audience: serviceProviderId(dc.pool.id),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: oneRequest,
    generateUniqueId: () => requestId,
  });
}

/** Sends the browser to the SAML identity provider with an AuthnRequest (HTTP-Redirect), the state as its RelayState. */
export async function startSamlFederation(
  ctx: RequestContext,
  dc: DomainContext,
  request: AuthorizeRequest,
  provider: StoredIdentityProvider,
  carried: Record<string, string>,
): Promise<void> {
  let metadata: SamlIdpMetadata;
  try {
    metadata = await samlMetadataOf(provider.details);
  } catch (error) {
    if (!(error instanceof SamlMetadataProblem)) throw error;
    const description = `The SAML identity provider ${provider.name} cannot be used: ${error.message}.`;
    dc.state.kernel.log.warn('a SAML identity provider could not be used', { userPoolId: dc.pool.id, provider: provider.name, reason: error.message });
    return sendRedirect(
      ctx,
      redirectWith(request.redirectUri, request.responseType, { error: 'server_error', error_description: description, state: request.state }),
    );
  }
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const state = await saveFederationState(dc, provider.name, carried, requestId, '');
  sendRedirect(ctx, await samlFor(dc, metadata, requestId).getAuthorizeUrlAsync(state, undefined, {}));
}

/** The provider's user as claims: its attributes (first value of each) and the NameID. */
function claimsOf(profile: Profile): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(attributes)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') claims[name] = first;
  }
  claims[SAML_NAME_ID_CLAIM] = profile.nameID;
  return claims;
}

/**
 * `POST /saml2/idpresponse`: the identity provider's SAMLResponse with the RelayState. The state is taken once;
 * the response must answer this sign-in's request (InResponseTo), come from the provider's entity, carry an
 * assertion signed with one of its certificates, for this pool (audience), within its validity; then the pool's
 * user is found or made as for any federated sign-in, and the original authorize request is answered.
 */
export async function samlIdpResponse(ctx: RequestContext, dc: DomainContext, onSignedIn: SignedInHandler): Promise<void> {
  // readForm refuses a form over 64 KB (413), which bounds the SAMLResponse too.
  const form = await readForm(ctx);
  const page = (status: number, error: string, description: string): void =>
    sendPage(ctx, status, errorPage({ cssHref: `${dc.path}/hosted-ui.css`, error, description }));
  if (!form) return page(400, 'invalid_request', 'The SAML response must be sent as a form (HTTP-POST binding).');
  const stateValue = form.get('RelayState');
  if (!stateValue || stateValue.length > 512)
    return page(
      400,
      'invalid_request',
      'The RelayState is missing: sign-in started at the identity provider is not supported; go back to the app and sign in again.',
    );
  const row = await takeFederationState(dc, stateValue);
  if (!row) return page(400, 'invalid_request', 'This sign-in expired or was already used (unknown RelayState): go back to the app and sign in again.');
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, new URLSearchParams(JSON.parse(row.request) as Record<string, string>));
  if (!checked.ok) return page(400, 'invalid_request', 'The app client changed during this sign-in: go back to the app and sign in again.');
  const { request } = checked;
  const back = (error: string, description: string): void =>
    sendRedirect(ctx, redirectWith(request.redirectUri, request.responseType, { error, error_description: description, state: request.state }));
  const provider = await dc.state.providers.get(dc.pool.id, row.provider);
  if (!provider || provider.type !== 'SAML') return back('invalid_request', `The SAML identity provider ${row.provider} was removed from the user pool.`);
  const response = form.get('SAMLResponse');
  if (!response) return back('invalid_request', `The identity provider ${provider.name} sent no SAMLResponse.`);
  const refused = (reason: string): void => {
    dc.state.kernel.log.warn('a SAML sign-in was refused', { userPoolId: dc.pool.id, provider: provider.name, reason });
    back('invalid_request', `The SAML response of ${provider.name} was refused: ${reason}.`);
  };
  let profile: Profile | null;
  let metadata: SamlIdpMetadata;
  try {
    metadata = await samlMetadataOf(provider.details);
    ({ profile } = await samlFor(dc, metadata, row.nonce).validatePostResponseAsync({ SAMLResponse: response }));
  } catch (error) {
    return refused(error instanceof Error ? error.message.slice(0, 200) : 'invalid');
  }
  // The signed assertion's issuer must be the provider's entity (node-saml checks it on logout messages only).
  if (profile?.issuer !== metadata.entityId) return refused(`its assertion is issued by ${String(profile?.issuer).slice(0, 100)}, not ${metadata.entityId}`);
  if (!profile.nameID) return refused('it names no user (NameID)');
  let user: StoredUser | undefined;
  try {
    const claims = claimsOf(profile);
    const subject = subjectOf(provider, claims);
    if (!subject) return refused(`it has no ${provider.attributeMapping.username ?? SAML_NAME_ID_CLAIM} for the user name`);
    user = await federatedUser(dc.state, dc.pool, request.client, provider, claims, subject);
  } catch (error) {
    // A trigger's refusal (PreSignUp) is the app's to show.
    return back('invalid_request', userFacingMessage(error));
  }
  if (!user) return back('invalid_request', 'User is disabled.');
  await onSignedIn(ctx, dc, request, user);
}
