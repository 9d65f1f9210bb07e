import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { FORTE_ERROR, SIGNING_SERVICE, type ForteErrorShape } from '@forte/protocol';

export interface CloudCredentials {
  endpoint: string; // e.g. http://127.0.0.1:20002
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** An error answered by the cloud, in AWS JSON or S3 XML shape: a Forte error with the cloud's code and status (`isForteError`). */
export class CloudRequestError extends Error implements ForteErrorShape {
  override readonly name = 'CloudRequestError';
  readonly [FORTE_ERROR] = 'protocol' as const;
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface SignedClient {
  readonly credentials: CloudCredentials;
  /** Calls a JSON 1.1 operation: POST `path` with X-Amz-Target `<target>`. */
  json<T>(path: string, target: string, input: unknown): Promise<T>;
  /** Any signed request (S3 PUT/GET/DELETE, hosting blob upload). Body is hashed and signed. */
  request(
    method: string,
    path: string,
    options?: { body?: Buffer | string; headers?: Record<string, string>; service?: string; query?: Record<string, string> },
  ): Promise<Response>;
}

const sha256 = Hash.bind(null, 'sha256');

export function createSignedClient(credentials: CloudCredentials): SignedClient {
  const base = new URL(credentials.endpoint);
  const signers = new Map<string, SignatureV4>();
  const signerFor = (service: string): SignatureV4 => {
    let signer = signers.get(service);
    if (!signer) {
      signer = new SignatureV4({
        service,
        region: credentials.region,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
        sha256,
        uriEscapePath: service !== 's3',
      });
      signers.set(service, signer);
    }
    return signer;
  };

  const request: SignedClient['request'] = async (method, path, options = {}) => {
    const service = options.service ?? SIGNING_SERVICE;
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const headers: Record<string, string> = { host: base.host, ...options.headers };
    if (service === 's3') headers['x-amz-content-sha256'] = await hexSha256(body ?? Buffer.alloc(0));
    const signed = await signerFor(service).sign({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      query: options.query ?? {},
      headers,
      body,
    });
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const { host: _host, ...sendHeaders } = signed.headers as Record<string, string>;
    return fetch(url, { method, headers: sendHeaders, body: body ?? null });
  };

  return {
    credentials,
    request,
    async json<T>(path: string, target: string, input: unknown): Promise<T> {
      const res = await request('POST', path, {
        body: JSON.stringify(input ?? {}),
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      });
      const text = await res.text();
      let parsed: unknown = {};
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        throw new CloudRequestError('InternalFailure', `The cloud answered ${res.status} with a body that is not JSON.`, res.status);
      }
      if (!res.ok) {
        const err = parsed as { __type?: string; message?: string };
        throw new CloudRequestError(err.__type ?? 'UnknownError', err.message ?? `HTTP ${res.status}`, res.status);
      }
      return parsed as T;
    },
  };
}

async function hexSha256(data: Buffer): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}
