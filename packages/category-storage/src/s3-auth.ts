import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type Project } from '@forte/protocol';
import { authResourceOf } from './s3-resource.js';
import type { S3Inputs } from './s3-inputs.js';

/** The auth resource's identity pool settings (its cli-inputs.json), when it records them. */
function identityPoolOf(project: Project, authResource: string): { identityPool?: boolean; guests?: boolean } {
  try {
    const raw = JSON.parse(readFileSync(join(project.resourceDir('auth', authResource), 'cli-inputs.json'), 'utf8')) as {
      cognitoConfig?: { authSelections?: unknown; allowUnauthenticatedIdentities?: unknown };
    };
    const c = raw.cognitoConfig ?? {};
    return {
      ...(typeof c.authSelections === 'string' ? { identityPool: c.authSelections === 'identityPoolAndUserPool' } : {}),
      ...(typeof c.allowUnauthenticatedIdentities === 'boolean' ? { guests: c.allowUnauthenticatedIdentities } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Amplify's `checkStorageAuthenticationRequirements`: the bucket is reached with identity pool credentials, and guest
 * access needs guests in the pool. Amplify turns them on in the auth resource; Forte's storage category does not edit
 * another category's files, so it says what to change.
 */
export function assertGuestsAllowed(project: Project, inputs: S3Inputs): void {
  const authResource = authResourceOf(project);
  if (!authResource)
    throw new UserError(
      'Content storage needs auth (Amazon Cognito): its users reach the bucket with identity pool credentials.',
      'Run `forte add auth` first.',
    );
  const pool = identityPoolOf(project, authResource);
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
