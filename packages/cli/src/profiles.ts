import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, cloudProfileSchema, cloudProfilesSchema, type CloudEndpoint } from '@forte/protocol';
import { readJsonFile, writeJsonFile } from './json-file.js';

/** The profile that means the local cloud at `$FORTE_HOME/cloud` unless configured otherwise. */
export const LOCAL_PROFILE = 'default';

const profileSchema = cloudProfileSchema;
const profilesSchema = cloudProfilesSchema;
export type Profile = CloudEndpoint;

export function profilesFile(home: string): string {
  return join(home, 'profiles.json');
}

/** Named cloud profiles of `$FORTE_HOME/profiles.json` (a 0600 file: it holds secret keys). */
export function readProfiles(home: string): Record<string, Profile> {
  return readJsonFile(profilesFile(home), profilesSchema) ?? {};
}

export function writeProfile(home: string, name: string, profile: Profile): void {
  const parsed = profileSchema.safeParse(profile);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `The profile ${name} is invalid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
      'Pass --endpoint URL --access-key-id K --secret-access-key S [--region R].',
    );
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UserError(`Profile names are letters, digits, - and _ (got "${name}").`, 'Choose another --profile name.');
  const file = profilesFile(home);
  writeJsonFile(file, { ...readProfiles(home), [name]: parsed.data }, 0o600);
  if (existsSync(file)) chmodSync(file, 0o600);
}
