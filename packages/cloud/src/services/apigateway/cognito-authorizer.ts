import type { IncomingMessage } from 'node:http';
import { verifyIdentityToken } from '../../kernel/identity-tokens.js';
import type { Kernel } from '../../kernel/types.js';
import type { CognitoAuthorizer } from './api-definition.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');
/** Time claims as API Gateway writes them into `claims`: `Sat Dec 05 06:30:30 UTC 2026`. */
const claimTime = (seconds: number): string => {
  const d = new Date(seconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
};

/** A token's claims as `requestContext.authorizer.claims` holds them: strings, lists joined with commas. */
export function flattenClaims(claims: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    if ((name === 'exp' || name === 'iat' || name === 'auth_time') && typeof value === 'number') flat[name] = claimTime(value);
    else if (Array.isArray(value)) flat[name] = value.map(String).join(',');
    else flat[name] = typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  }
  return flat;
}

/**
 * The claims of the user pool token a Cognito authorizer accepts, or undefined (API Gateway then answers 401
 * Unauthorized): the header's token, verified against one of the authorizer's pools; with scopes, an access
 * token holding one of them, else an ID token.
 */
export async function verifyCognitoToken(
  kernel: Pick<Kernel, 'capability'>,
  req: IncomingMessage,
  authorizer: CognitoAuthorizer,
): Promise<Record<string, unknown> | undefined> {
  const header = req.headers[authorizer.header.toLowerCase()];
  const token = Array.isArray(header) ? header[0] : header;
  if (!token) return undefined;
  const scoped = authorizer.scopes.length > 0;
  for (const providerName of authorizer.providerNames) {
    const verified = await verifyIdentityToken(kernel, providerName, token, { tokenUse: scoped ? 'any' : 'id' });
    if (!verified) continue;
    if (!scoped) return verified.claims;
    const granted = typeof verified.claims.scope === 'string' ? verified.claims.scope.split(' ') : [];
    return verified.claims.token_use === 'access' && authorizer.scopes.some((s) => granted.includes(s)) ? verified.claims : undefined;
  }
  return undefined;
}
