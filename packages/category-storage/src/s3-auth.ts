import { UserError, readIdentityPoolSettings, type PluginContext } from '@forte/protocol';
import { authResourceOf } from './s3-resource.js';
import type { S3Inputs } from './s3-inputs.js';

/**
 * Amplify's `checkStorageAuthenticationRequirements`: the bucket is reached with identity pool credentials, and guest
 * access needs guests in the pool. Amplify turns them on in the auth resource; Forte's storage category does not edit
 * another category's files, so it says what to change.
 */
export async function assertGuestsAllowed(ctx: PluginContext, inputs: S3Inputs): Promise<void> {
  const authResource = authResourceOf(ctx.project());
  if (!authResource)
    throw new UserError(
      'Content storage needs auth (Amazon Cognito): its users reach the bucket with identity pool credentials.',
      'Run `forte add auth` first.',
    );
  const pool = await readIdentityPoolSettings(ctx, authResource);
  if (pool.identityPool === false)
    throw new UserError(
      `auth ${authResource} has no identity pool, which the bucket's users need for their credentials.`,
      'Add one with `forte update auth` (user pool and identity pool), then add the storage again.',
    );
  if (inputs.guestAccess.length > 0 && pool.guests === false)
    throw new UserError(
      `Guests get access to the bucket, but the identity pool of auth ${authResource} does not let guests in.`,
      'Allow unauthenticated logins with `forte update auth`, or give access to authenticated users only.',
    );
}
