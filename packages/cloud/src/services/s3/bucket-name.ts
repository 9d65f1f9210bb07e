import { S3_ERRORS } from './s3-errors.js';

/** S3 bucket naming rules (general purpose buckets); throws InvalidBucketName naming the broken rule. */
export function assertValidBucketName(name: string): void {
  const problem =
    name.length < 3 || name.length > 63
      ? 'must be 3 to 63 characters long'
      : !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)
        ? 'may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit'
        : name.includes('..')
          ? 'must not contain two adjacent dots'
          : /^\d+\.\d+\.\d+\.\d+$/.test(name)
            ? 'must not look like an IP address'
            : name.startsWith('xn--') || name.startsWith('sthree-')
              ? 'must not begin with xn-- or sthree-'
              : name.endsWith('-s3alias') || name.endsWith('--ol-s3')
                ? 'must not end with -s3alias or --ol-s3'
                : undefined;
  if (problem) {
    throw S3_ERRORS.error('InvalidBucketName', `The specified bucket is not valid: "${name}" ${problem}.`, { fields: { BucketName: name } });
  }
}
