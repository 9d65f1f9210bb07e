/**
 * Why `name` is not a valid S3 bucket name, or true (the shape of a Prompter `validate`): 3 to 63 lowercase
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, no `..`, not an IP address.
 */
export function validateBucketName(name: string): true | string {
  if (name.length < 3 || name.length > 63) return 'Bucket names are 3 to 63 characters long.';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'Bucket names use lowercase letters, digits, dots and hyphens, and start and end with a letter or digit.';
  if (name.includes('..')) return 'Bucket names cannot contain two dots in a row.';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'Bucket names cannot look like an IP address.';
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return 'Bucket names cannot start with "xn--" or end with "-s3alias".';
  return true;
}

/** Amplify's default: `<projectname>-<yyyymmddhhmmss>-hostingbucket`, lower-cased and trimmed to 63 characters. */
export function defaultBucketName(projectName: string, now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const suffix = `-${stamp}-hostingbucket`;
  const base =
    projectName
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '')
      .replace(/^-+/, '') || 'site';
  return `${base.slice(0, 63 - suffix.length)}${suffix}`;
}
