import { IDENTITY_TOKEN_VERIFIERS } from './capabilities.js';
import type { IdentityTokenOptions, Kernel, VerifiedIdentityToken } from './types.js';

/**
 * Verifies an identity token with the verifiers services provide (`IDENTITY_TOKEN_VERIFIERS`). `providerName`
 * is `cognito-idp.<region>.amazonaws.com/<userPoolId>` for user pools. Undefined when no verifier accepts the
 * token (forged, expired, revoked, wrong audience or pool, or no service owns the provider). Only ID tokens
 * unless `tokenUse` says otherwise (AppSync accepts user pool access tokens too; identity pools do not).
 */
export async function verifyIdentityToken(
  kernel: Pick<Kernel, 'capability'>,
  providerName: string,
  token: string,
  options?: IdentityTokenOptions,
): Promise<VerifiedIdentityToken | undefined> {
  for (const verifier of kernel.capability(IDENTITY_TOKEN_VERIFIERS)) {
    const verified = await verifier.verify(providerName, token, options);
    if (verified) return verified;
  }
  return undefined;
}
