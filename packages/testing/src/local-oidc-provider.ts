import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** How the next ID token is spoiled, for the tests of what a user pool must refuse. */
export interface IdTokenTampering {
  audience?: string;
  nonce?: string;
  issuer?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  /** Signed with a key that is not in the provider's JWKS. */
  foreignKey?: boolean;
}

/** An OpenID Connect provider for tests, standing in for Google or a company's IdP. */
export interface LocalOidcProvider {
  /** `http://127.0.0.1:<port>`: the issuer, with its discovery document under it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claims of the user the next authorize request signs in (`sub` required). */
  user: Record<string, unknown>;
  /** Spoils the ID tokens issued until it is set back to undefined. */
  tamper: IdTokenTampering | undefined;
  /** The authorize requests received, in order (their query parameters). */
  authorizeRequests: URLSearchParams[];
  close(): Promise<void>;
}

interface PendingCode {
  redirectUri: string;
  nonce: string | undefined;
  challenge: string | undefined;
  claims: Record<string, unknown>;
}

/**
 * Starts a small OpenID Connect provider on a free port of 127.0.0.1: discovery, an authorize endpoint that
 * signs in `user` at once (no page), a token endpoint checking the client secret, the code, its redirect URI
 * and PKCE, user info, and its JWKS. ID tokens are RS256, spoilable through `tamper`.
 */
export async function startLocalOidcProvider(options: { clientId?: string; clientSecret?: string } = {}): Promise<LocalOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, Record<string, unknown>>();
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', provider.issuer);
      if (url.pathname === '/.well-known/openid-configuration')
        return send(res, 200, {
          issuer: provider.issuer,
          authorization_endpoint: `${provider.issuer}/authorize`,
          token_endpoint: `${provider.issuer}/token`,
          userinfo_endpoint: `${provider.issuer}/userinfo`,
          jwks_uri: `${provider.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      if (url.pathname === '/jwks') return send(res, 200, { keys: [publicJwk] });
      if (url.pathname === '/authorize') {
        provider.authorizeRequests.push(url.searchParams);
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        if (url.searchParams.get('client_id') !== provider.clientId || !redirectUri) return send(res, 400, { error: 'invalid_request' });
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          redirectUri,
          nonce: url.searchParams.get('nonce') ?? undefined,
          challenge: url.searchParams.get('code_challenge') ?? undefined,
          claims: { ...provider.user },
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        const state = url.searchParams.get('state');
        if (state !== null) back.searchParams.set('state', state);
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        if (form.get('client_id') !== provider.clientId || form.get('client_secret') !== provider.clientSecret)
          return send(res, 401, { error: 'invalid_client' });
        const code = form.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code);
        if (!pending || pending.redirectUri !== form.get('redirect_uri')) return send(res, 400, { error: 'invalid_grant' });
        if (
          pending.challenge !== undefined &&
          createHash('sha256')
            .update(form.get('code_verifier') ?? '')
            .digest('base64url') !== pending.challenge
        )
          return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
        const tamper = provider.tamper ?? {};
        const now = Math.floor(Date.now() / 1000);
        const key: CryptoKey = tamper.foreignKey ? foreign.privateKey : privateKey;
        const nonce = tamper.nonce ?? pending.nonce;
        const idToken = await new SignJWT({ ...pending.claims, ...(nonce !== undefined ? { nonce } : {}) })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(tamper.issuer ?? provider.issuer)
          .setAudience(tamper.audience ?? provider.clientId)
          .setIssuedAt(now)
          .setExpirationTime(now + (tamper.expiresIn ?? 3600))
          .sign(key);
        const accessToken = randomBytes(16).toString('hex');
        accessTokens.set(accessToken, pending.claims);
        return send(res, 200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 3600 }, { 'cache-control': 'no-store' });
      }
      if (url.pathname === '/userinfo') {
        const claims = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        return claims ? send(res, 200, claims) : send(res, 401, { error: 'invalid_token' });
      }
      send(res, 404, { error: 'not_found' });
    })().catch(() => send(res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const provider: LocalOidcProvider = {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: options.clientId ?? 'local-client',
    clientSecret: options.clientSecret ?? randomBytes(16).toString('hex'),
    user: { sub: '1001' },
    tamper: undefined,
    authorizeRequests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return provider;
}
