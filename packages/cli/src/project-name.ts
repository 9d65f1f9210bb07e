import { randomInt } from 'node:crypto';
import { UserError, appNameSchema } from '@forte/protocol';

/** Amplify's isProjectNameValid: 3 to 20 characters, letters and digits only. */
export function isProjectNameValid(name: string): boolean {
  return appNameSchema.safeParse(name).success;
}

export const PROJECT_NAME_RULE = 'Project name should be between 3 and 20 characters and alphanumeric';

/** An explicitly given name (--amplify's projectName) is used as it is, or refused: never silently changed. */
export function checkProjectName(name: string): string {
  if (isProjectNameValid(name)) return name;
  throw new UserError(
    `The project name "${name}" is not valid: it must have 3 to 20 characters, letters (a-z, A-Z) and digits (0-9) only.`,
    `Pass a valid name, e.g. --amplify '{"projectName":"${suggestion(name)}"}', or leave projectName out to be asked (the default comes from the folder name).`,
  );
}

/**
 * The default name derived from the folder, normalised as Amplify's normalizeProjectName does: other
 * characters are stripped, a name shorter than 3 gets 5 random characters appended, a longer one is cut
 * to 20, and an empty one becomes `amplify` plus 5 random characters.
 */
export function projectNameFromFolder(folder: string): string {
  if (folder === '') return `amplify${randomId(5)}`;
  if (isProjectNameValid(folder)) return folder;
  const stripped = folder.replace(/[^A-Za-z0-9]/g, '');
  if (stripped.length < 3) return stripped + randomId(5);
  return stripped.slice(0, 20);
}

function suggestion(name: string): string {
  const stripped = name.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  return stripped.length >= 3 ? stripped : 'myapp';
}

function randomId(length: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += chars[randomInt(chars.length)];
  return id;
}
