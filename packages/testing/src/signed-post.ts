import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * POSTs `body` to `url` signed with SigV4 (`service`, us-east-1) with `credentials`, as an AWS client or a function
 * signing its own request does; answers the response.
 */
export async function signedPost(
  url: string | URL,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  options: { service?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: options.service ?? 'appsync', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    headers: { host: target.host, 'content-type': 'application/json', ...options.headers },
    body,
  });
  return fetch(target, { method: 'POST', headers: signed.headers, body });
}
