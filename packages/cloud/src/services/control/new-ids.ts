import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** An Amplify-shaped app id: `d` and 13 lowercase letters or digits. */
export function newAppId(): string {
  const bytes = randomBytes(13);
  let id = 'd';
  for (const byte of bytes) id += ALNUM[byte % ALNUM.length];
  return id;
}

/** Amplify's root stack name shape: `amplify-<project>-<env>-<5 digits>`. */
export function newStackName(appName: string, envName: string): string {
  return `amplify-${appName.toLowerCase()}-${envName}-${String(randomInt(0, 100_000)).padStart(5, '0')}`;
}

/** Ids of change sets, deployments and copies of deleted data: a readable prefix and a UUID. */
export function newId(prefix: 'cs' | 'dep' | 'del'): string {
  return `${prefix}-${randomUUID()}`;
}
