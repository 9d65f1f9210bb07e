import { canonicalQuery, computeSignature, uriEscape } from '../../kernel/sigv4-canonical.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import type { CredentialProvider } from '../../kernel/types.js';

/** How long a `Code.Location` URL works: Lambda's 10 minutes. */
export const CODE_LOCATION_EXPIRES_SECONDS = 600;

/** The object a function's code was deployed from. */
export interface CodeSource {
  bucket: string;
  key: string;
  versionId?: string;
}

/**
 * `GetFunction`'s `Code.Location`, as Lambda answers it: a presigned S3 GET (SigV4 query form, `host` signed,
 * `UNSIGNED-PAYLOAD`, 10 minutes) of the function's code zip, here at the cloud's own S3 endpoint
 * (`<base>/s3/<bucket>/<key>`, path style). It is signed with a key of this service's own, derived from the
 * cloud's secret key (`secrets.derive`), so every instance of a cluster, which shares that key, accepts a URL
 * another made; it never leaves the cloud's processes (their credential provider), and S3 takes it as the
 * cloud's: the caller needs `lambda:GetFunction`, not access to the bucket, as on AWS, where the URL points into
 * Lambda's bucket. The signature covers the method, the path and the query: the URL is good for that GET only.
 */
export function createCodeLocations(options: { region: string; baseUrl: () => string; secrets: SecretBox }) {
  const key = options.secrets.derive('lambda:code-location');
  const accessKeyId = `FLMB${key.subarray(0, 8).toString('hex').toUpperCase()}`;
  const secretAccessKey = key.subarray(8).toString('base64');
  const provider: CredentialProvider = {
    lookup: async (id) => (id === accessKeyId ? { secretAccessKey, principal: { kind: 'admin', accessKeyId } } : undefined),
  };

  function url(source: CodeSource, now: Date = new Date()): string {
    const base = new URL(options.baseUrl());
    const rawPath = `/s3/${uriEscape(source.bucket)}/${source.key.split('/').map(uriEscape).join('/')}`;
    const amzDate = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const scope = { date: amzDate.slice(0, 8), region: options.region, service: 's3' };
    const pairs: Array<[string, string]> = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${accessKeyId}/${scope.date}/${scope.region}/s3/aws4_request`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(CODE_LOCATION_EXPIRES_SECONDS)],
      ['X-Amz-SignedHeaders', 'host'],
    ];
    if (source.versionId !== undefined) pairs.push(['versionId', source.versionId]);
    const query = canonicalQuery(pairs);
    const canonicalRequest = ['GET', rawPath, query, `host:${base.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const signature = computeSignature({ secretAccessKey, amzDate, scope, canonicalRequest });
    return `${base.origin}${rawPath}?${query}&X-Amz-Signature=${signature}`;
  }

  return { provider, url };
}

export type CodeLocations = ReturnType<typeof createCodeLocations>;
