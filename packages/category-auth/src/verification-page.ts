import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@forte/protocol';

/** The page's files as Forte ships them (this package's `triggers/verification-page/`). */
const SHIPPED_PAGE = fileURLToPath(new URL('../triggers/verification-page/', import.meta.url));
/** Where Amplify keeps the page's files in the project: `amplify/backend/auth/<resource>/assets/`. */
export const PAGE_FOLDER = 'assets';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Amplify's name for the confirmation page's bucket (cli-inputs.json `verificationBucketName`; `-<env>` is added at push). */
export const verificationBucketNameOf = (resourceName: string): string => `${resourceName.toLowerCase()}verificationbucket`;

/**
 * Puts the account confirmation page into the auth resource's `assets/` folder, as Amplify copies its own there
 * when the verification-link module is chosen: only when the folder does not exist, so a page the user edited stays.
 */
export function writeVerificationPage(resourceDir: string): void {
  const target = join(resourceDir, PAGE_FOLDER);
  if (existsSync(target)) return;
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(SHIPPED_PAGE)) copyFileSync(join(SHIPPED_PAGE, file), join(target, file));
}

/**
 * The files of the page (the resource's `assets/` folder, top level) as the objects of the confirmation bucket,
 * written with the push. Text files only: a template carries them.
 */
export function verificationPageObjects(resourceDir: string): Array<{ Key: string; Body: string; ContentType: string }> {
  const folder = join(resourceDir, PAGE_FOLDER);
  if (!existsSync(folder))
    throw new UserError(
      `The verification-link trigger needs its confirmation page in ${folder}, which is missing.`,
      'Choose the module again with `forte update auth` (it writes the page), or restore the folder.',
    );
  const objects: Array<{ Key: string; Body: string; ContentType: string }> = [];
  for (const file of readdirSync(folder).sort()) {
    const path = join(folder, file);
    if (!statSync(path).isFile()) continue;
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
    if (contentType === undefined)
      throw new UserError(
        `${path}: the confirmation page's files are text (${Object.keys(CONTENT_TYPES).join(', ')}).`,
        'Put images and other files elsewhere, such as the app hosting site, and link to them.',
      );
    objects.push({ Key: file, Body: readFileSync(path, 'utf8'), ContentType: contentType });
  }
  if (!objects.some((o) => o.Key === 'index.html'))
    throw new UserError(`${folder} has no index.html, the page the confirmation link opens.`, 'Restore it, or delete the folder and run `forte update auth`.');
  return objects;
}

/**
 * Files of the verification-link module that address AWS rather than this cloud: Amplify's own module (its link
 * names `<bucket>.s3-website-<region>.amazonaws.com`) and page (AWS SDK v2 from sdk.amazonaws.com), as a Gen 1
 * project cloned from AWS holds them. They push as they are; their links and page do not reach a Forte cloud.
 */
export function filesAddressingAws(resourceDir: string, functionDir: string): string[] {
  const candidates = [join(functionDir, 'src', 'verification-link.js'), ...['index.html', 'verify.js'].map((f) => join(resourceDir, PAGE_FOLDER, f))];
  return candidates.filter((file) => existsSync(file) && /amazonaws\.com|AWS\.CognitoIdentityServiceProvider/.test(readFileSync(file, 'utf8')));
}
