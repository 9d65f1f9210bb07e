import { canonicalQuery, computeSignature, uriEscape } from '../../kernel/sigv4-canonical.js';

/** How long a download link the console makes works: long enough to start a download, short enough to leak little. */
export const DOWNLOAD_URL_EXPIRES_SECONDS = 300;

/**
 * A presigned S3 GetObject URL (SigV4 query form, `host` signed, `UNSIGNED-PAYLOAD`) at the cloud's own S3
 * endpoint (`<base>/s3/<bucket>/<key>`, path style), signed with the signed-in admin's keys: the browser
 * downloads the object straight from S3 (streamed, never held by the page), and the console's pipe keeps
 * requiring its CSRF header. `response-content-disposition` makes the browser save it under its name.
 */
export function presignDownloadUrl(input: {
  baseUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  key: string;
  now?: Date;
}): { url: string; expiresAt: string } {
  const now = input.now ?? new Date();
  const base = new URL(input.baseUrl);
  const rawPath = `/s3/${uriEscape(input.bucket)}/${input.key.split('/').map(uriEscape).join('/')}`;
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const scope = { date: amzDate.slice(0, 8), region: input.region, service: 's3' };
  const fileName = input.key.split('/').pop() || 'download';
  const pairs: Array<[string, string]> = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.accessKeyId}/${scope.date}/${scope.region}/s3/aws4_request`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(DOWNLOAD_URL_EXPIRES_SECONDS)],
    ['X-Amz-SignedHeaders', 'host'],
    // RFC 6266: an ASCII fallback name and the exact one in UTF-8.
    ['response-content-disposition', `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${uriEscape(fileName)}`],
  ];
  const query = canonicalQuery(pairs);
  const canonicalRequest = ['GET', rawPath, query, `host:${base.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const signature = computeSignature({ secretAccessKey: input.secretAccessKey, amzDate, scope, canonicalRequest });
  return {
    url: `${base.origin}${rawPath}?${query}&X-Amz-Signature=${signature}`,
    expiresAt: new Date(now.getTime() + DOWNLOAD_URL_EXPIRES_SECONDS * 1000).toISOString(),
  };
}
