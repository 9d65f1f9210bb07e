import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateIdentityProviderCommand,
  DescribeIdentityProviderCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { decodeJwt } from 'jose';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { callFailure, handlerOf, resourceContext, startTestCloud, type TestCloud } from './index.js';

const CALLBACK = 'http://localhost:3000/';
const IDP_ENTITY = 'https://idp.corp.example/saml';
const EMAIL_ATTRIBUTE = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};
const certBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();

/** A company's SAML identity provider: its metadata (served and as a file), and the responses it signs. */
async function startSamlIdp(): Promise<{
  metadata: string;
  metadataUrl: string;
  server: Server;
  sso: string;
  respond(request: { id: string; acs: string; audience: string }, user: { nameId: string; email?: string }, spoil?: Spoil): string;
}> {
  const signing = await generate([{ name: 'commonName', value: 'idp.corp.example' }], { keySize: 2048, algorithm: 'sha256' });
  const other = await generate([{ name: 'commonName', value: 'someone-else' }], { keySize: 2048, algorithm: 'sha256' });
  const server = createServer((req, res) => {
    if (req.url === '/metadata') return void res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
    return void res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sso = `${origin}/sso`;
  const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${IDP_ENTITY}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(signing.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${origin}/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  const respond = (request: { id: string; acs: string; audience: string }, user: { nameId: string; email?: string }, spoil: Spoil = {}): string => {
    const assertionId = `_${randomUUID()}`;
    const notAfter = iso(spoil.expired ? -120_000 : 300_000);
    const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(0)}"><saml:Issuer>${spoil.issuer ?? IDP_ENTITY}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${user.nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${spoil.inResponseTo ?? request.id}" NotOnOrAfter="${notAfter}" Recipient="${request.acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(-60_000)}" NotOnOrAfter="${notAfter}"><saml:AudienceRestriction><saml:Audience>${spoil.audience ?? request.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${
      user.email
        ? `<saml:AttributeStatement><saml:Attribute Name="${EMAIL_ATTRIBUTE}"><saml:AttributeValue>${user.email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`
        : ''
    }</saml:Assertion>`;
    let signed = assertion;
    if (!spoil.unsigned) {
      const sig = new SignedXml({
        privateKey: spoil.foreignKey ? other.private : signing.private,
        signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      });
      sig.addReference({
        xpath: "//*[local-name(.)='Assertion']",
        digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
        transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      });
      sig.computeSignature(assertion, { location: { reference: "//*[local-name(.)='Issuer']", action: 'after' } });
      signed = sig.getSignedXml();
    }
    // Changed after signing: the signature no longer covers what the assertion says.
    if (spoil.tamperEmail) signed = signed.replace(user.email ?? '', spoil.tamperEmail);
    const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${iso(0)}" Destination="${request.acs}" InResponseTo="${spoil.inResponseTo ?? request.id}"><saml:Issuer>${spoil.issuer ?? IDP_ENTITY}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signed}</samlp:Response>`;
    return Buffer.from(response).toString('base64');
  };
  return { metadata, metadataUrl: `${origin}/metadata`, server, sso, respond };
}

interface Spoil {
  unsigned?: boolean;
  foreignKey?: boolean;
  tamperEmail?: string;
  audience?: string;
  issuer?: string;
  inResponseTo?: string;
  expired?: boolean;
}

void describe('hosted UI federation with a SAML identity provider', () => {
  let cloud: TestCloud;
  let idp: Awaited<ReturnType<typeof startSamlIdp>>;
  let admin: CognitoIdentityProviderClient;
  let poolId = '';
  let clientId = '';
  let base = '';

  /** The authorize request, through the hosted UI to the IdP: the AuthnRequest it carries and its RelayState. */
  const toIdp = async (challenge: string, provider = 'Corp'): Promise<{ id: string; acs: string; audience: string; relayState: string }> => {
    const query = new URLSearchParams({
      client_id: clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid email',
      identity_provider: provider,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'app-state',
    });
    const response = await fetch(`${base}/oauth2/authorize?${query.toString()}`, { redirect: 'manual' });
    assert.equal(response.status, 302, await response.text());
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, idp.sso, 'the AuthnRequest goes to the HTTP-Redirect sign-on service');
    const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const attr = (name: string): string => new RegExp(`${name}="([^"]+)"`).exec(xml)?.[1] ?? '';
    const issuer = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(xml)?.[1] ?? '';
    return { id: attr('ID'), acs: attr('AssertionConsumerServiceURL'), audience: issuer, relayState: location.searchParams.get('RelayState')! };
  };
  const post = (relayState: string, samlResponse: string): Promise<Response> =>
    fetch(`${base}/saml2/idpresponse`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
    });

  before(async () => {
    idp = await startSamlIdp();
    cloud = await startTestCloud();
    const ctx = (logicalId: string) => resourceContext(cloud, logicalId, 'amplify-app1-dev-auth');
    poolId = (await handlerOf(cloud, AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Saml', UsernameCaseSensitive: false }, ctx('UserPool'))).physicalId;
    admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, credentials: cloud.credentials, maxAttempts: 1 });
    // Corp by its metadata URL through the API; Files by its metadata file as a template declares it.
    await admin.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Corp',
        ProviderType: 'SAML',
        ProviderDetails: { MetadataURL: idp.metadataUrl, IDPSignout: 'false' },
        AttributeMapping: { email: EMAIL_ATTRIBUTE },
      }),
    );
    await handlerOf(cloud, AUTH_RESOURCE_TYPES.userPoolIdentityProvider).create(
      {
        UserPoolId: poolId,
        ProviderName: 'Files',
        ProviderType: 'SAML',
        ProviderDetails: { MetadataFile: idp.metadata },
        AttributeMapping: { email: EMAIL_ATTRIBUTE },
      },
      ctx('FilesProvider'),
    );
    clientId = (
      await handlerOf(cloud, AUTH_RESOURCE_TYPES.userPoolClient).create(
        {
          UserPoolId: poolId,
          ClientName: 'web',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email'],
          CallbackURLs: [CALLBACK],
          SupportedIdentityProviders: ['COGNITO', 'Corp', 'Files'],
        },
        ctx('Web'),
      )
    ).physicalId;
    await handlerOf(cloud, AUTH_RESOURCE_TYPES.userPoolDomain).create({ UserPoolId: poolId, Domain: 'saml-dev' }, ctx('Domain'));
    base = `${cloud.url}/hosted-ui/saml-dev`;
  });
  after(async () => {
    admin?.destroy();
    await cloud?.close();
    await new Promise((resolve) => idp?.server.close(resolve));
  });

  it('signs in through the IdP: AuthnRequest out, signed assertion back, the federated user and its email in the tokens', async () => {
    const { verifier, challenge } = pkce();
    const request = await toIdp(challenge);
    assert.equal(request.audience, `urn:amazon:cognito:sp:${poolId}`, "the pool's SAML entity id, as Cognito names it");
    assert.equal(request.acs, `${base}/saml2/idpresponse`);
    const answer = await post(request.relayState, idp.respond(request, { nameId: 'dana@corp.example', email: 'dana@corp.example' }));
    assert.equal(answer.status, 302, await answer.text());
    const back = new URL(answer.headers.get('location')!);
    assert.equal(back.searchParams.get('state'), 'app-state');
    const code = back.searchParams.get('code');
    assert.ok(code, back.toString());
    const tokens = (await (
      await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier }),
      })
    ).json()) as { id_token: string };
    const id = decodeJwt(tokens.id_token);
    assert.equal(id['cognito:username'], 'Corp_dana@corp.example');
    assert.equal(id.email, 'dana@corp.example');
    assert.deepEqual(
      (id.identities as Array<Record<string, unknown>>).map((i) => [i.providerName, i.providerType, i.userId]),
      [['Corp', 'SAML', 'dana@corp.example']],
    );
    const user = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_dana@corp.example' }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
    // The same RelayState again: already used.
    const replay = await post(request.relayState, idp.respond(request, { nameId: 'dana@corp.example', email: 'dana@corp.example' }));
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /already used/);
  });

  it('signs in through a provider given by its metadata file', async () => {
    const request = await toIdp(pkce().challenge, 'Files');
    const answer = await post(request.relayState, idp.respond(request, { nameId: 'eli', email: 'eli@corp.example' }));
    assert.ok(new URL(answer.headers.get('location')!).searchParams.get('code'));
  });

  it('refuses responses that are unsigned, signed by another key, changed after signing, for another audience, issuer or request, or expired', async () => {
    for (const [spoil, pattern] of [
      [{ unsigned: true }, /refused/],
      [{ foreignKey: true }, /refused/],
      [{ tamperEmail: 'mallory@corp.example' }, /refused/],
      [{ audience: 'urn:amazon:cognito:sp:us-east-1_Other' }, /refused/],
      [{ issuer: 'https://evil.example/saml' }, /refused/],
      [{ inResponseTo: '_not-this-request' }, /refused.*InResponseTo/],
      [{ expired: true }, /refused/],
    ] as Array<[Spoil, RegExp]>) {
      const request = await toIdp(pkce().challenge);
      const answer = await post(request.relayState, idp.respond(request, { nameId: 'frank', email: 'frank@corp.example' }, spoil));
      assert.equal(answer.status, 302, JSON.stringify(spoil));
      const back = new URL(answer.headers.get('location')!);
      assert.equal(back.searchParams.get('code'), null, `no code for ${JSON.stringify(spoil)}`);
      assert.equal(back.searchParams.get('error'), 'invalid_request');
      assert.match(back.searchParams.get('error_description') ?? '', pattern, JSON.stringify(spoil));
    }
    const nobody = await callFailure(admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_frank' })));
    assert.equal(nobody.name, 'UserNotFoundException', 'nothing signed in, nobody made');
    // Without a RelayState (a sign-in the IdP started) nothing is signed in.
    const unsolicited = await post('', 'PHNhbWxwOlJlc3BvbnNlLz4=');
    assert.equal(unsolicited.status, 400);
  });

  it('refuses a SAML response form larger than the hosted UI reads, before taking its RelayState', async () => {
    const request = await toIdp(pkce().challenge);
    const oversized = await post(request.relayState, 'A'.repeat(70 * 1024));
    assert.equal(oversized.status, 413, await oversized.text());
    // The sign-in still waits: the same RelayState with the real response signs in.
    const answer = await post(request.relayState, idp.respond(request, { nameId: 'gina', email: 'gina@corp.example' }));
    assert.ok(new URL(answer.headers.get('location')!).searchParams.get('code'));
  });

  it('refuses SAML providers Cognito would refuse or Forte cannot serve, naming the detail', async () => {
    const refused = async (details: Record<string, string>, pattern: RegExp): Promise<void> => {
      const failure = await callFailure(
        admin.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Bad', ProviderType: 'SAML', ProviderDetails: details })),
      );
      assert.equal(failure.name, 'InvalidParameterException');
      assert.match(failure.message, pattern);
    };
    await refused({}, /MetadataURL or MetadataFile/);
    await refused({ MetadataFile: '<not-xml' }, /MetadataFile: the metadata is not well-formed XML|no EntityDescriptor/);
    await refused(
      { MetadataFile: idp.metadata.replace(/<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*\/>/, '') },
      /HTTP-Redirect/,
    );
    await refused({ MetadataFile: idp.metadata, IDPInit: 'true' }, /IDPInit/);
    await refused({ MetadataFile: idp.metadata, EncryptedResponses: 'true' }, /EncryptedResponses/);
    const described = await admin.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }));
    assert.equal(described.IdentityProvider?.ProviderType, 'SAML');
    assert.equal(described.IdentityProvider?.AttributeMapping?.['username'], 'NameID');
  });
});
