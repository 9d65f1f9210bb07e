import { CONSOLE_CSRF_HEADER, CONSOLE_DOWNLOAD_URL_PATH, CONSOLE_PIPE_PATH } from '@forte/protocol/console-paths';
import { ApiError, jsonAnswer, pipeFetch, sessionCsrfToken } from './api.js';

/** The S3 REST API through the console's pipe (path style, at the cloud's `/s3/`), read as S3 answers it: XML. */

export interface Bucket {
  name: string;
  created: string | undefined;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified: string | undefined;
  etag: string | undefined;
}

export interface ListPage {
  folders: string[];
  objects: ObjectSummary[];
  nextToken: string | undefined;
}

export interface ObjectMetadata {
  size: number;
  contentType: string | undefined;
  lastModified: string | undefined;
  etag: string | undefined;
  userMetadata: [string, string][];
}

const objectPath = (bucket: string, key: string): string => `s3/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

const xmlOf = (text: string): Document => new DOMParser().parseFromString(text, 'application/xml');
const textOf = (node: Element | Document, tag: string): string | undefined => node.getElementsByTagName(tag)[0]?.textContent ?? undefined;
const children = (node: Element | Document, tag: string): Element[] => Array.from(node.getElementsByTagName(tag));

/** S3's refusal (an XML `<Error>` or, from the pipe itself, JSON) as an ApiError with the cloud's message. */
async function failure(response: Response, what: string): Promise<never> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    await jsonAnswer(new Response(text, { status: response.status, headers: response.headers }));
  }
  const xml = text ? xmlOf(text) : undefined;
  const code = (xml && textOf(xml, 'Code')) ?? `Http${response.status}`;
  const message = (xml && textOf(xml, 'Message')) ?? `${what}: the cloud answered ${response.status}.`;
  throw new ApiError(code, message, response.status);
}

async function s3Xml(path: string, what: string): Promise<Document> {
  const response = await pipeFetch(path);
  if (!response.ok) return failure(response, what);
  return xmlOf(await response.text());
}

/** ListBuckets. */
export async function listBuckets(): Promise<Bucket[]> {
  const xml = await s3Xml('s3/', 'ListBuckets');
  return children(xml, 'Bucket').map((b) => ({ name: textOf(b, 'Name') ?? '', created: textOf(b, 'CreationDate') }));
}

/** One page of ListObjectsV2 under `prefix`, with `/` as the delimiter: the folders and the objects at that level. */
export async function listFolder(bucket: string, prefix: string, token: string | undefined, maxKeys = 100): Promise<ListPage> {
  const query = new URLSearchParams({ 'list-type': '2', delimiter: '/', prefix, 'max-keys': String(maxKeys) });
  if (token !== undefined) query.set('continuation-token', token);
  const xml = await s3Xml(`s3/${encodeURIComponent(bucket)}?${query.toString()}`, 'ListObjectsV2');
  const truncated = textOf(xml, 'IsTruncated') === 'true';
  return {
    folders: children(xml, 'CommonPrefixes').map((p) => textOf(p, 'Prefix') ?? ''),
    objects: children(xml, 'Contents').map((c) => ({
      key: textOf(c, 'Key') ?? '',
      size: Number(textOf(c, 'Size') ?? 0),
      lastModified: textOf(c, 'LastModified'),
      etag: textOf(c, 'ETag'),
    })),
    nextToken: truncated ? textOf(xml, 'NextContinuationToken') : undefined,
  };
}

/** HeadObject: size, type, last modified, ETag and the user metadata (`x-amz-meta-*`). */
export async function headObject(bucket: string, key: string): Promise<ObjectMetadata> {
  const response = await pipeFetch(objectPath(bucket, key), { method: 'HEAD' });
  if (!response.ok)
    throw new ApiError(response.status === 404 ? 'NotFound' : `Http${response.status}`, `HeadObject: no object ${key} (${response.status}).`, response.status);
  const h = response.headers;
  const userMetadata: [string, string][] = [];
  h.forEach((value, name) => {
    if (name.startsWith('x-amz-meta-')) userMetadata.push([name.slice('x-amz-meta-'.length), value]);
  });
  const modified = h.get('last-modified');
  return {
    size: Number(h.get('content-length') ?? 0),
    contentType: h.get('content-type') ?? undefined,
    lastModified: modified ? new Date(modified).toISOString() : undefined,
    etag: h.get('etag') ?? undefined,
    userMetadata: userMetadata.sort((a, b) => a[0].localeCompare(b[0])),
  };
}

/** DeleteObject. */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  const response = await pipeFetch(objectPath(bucket, key), { method: 'DELETE' });
  if (!response.ok) await failure(response, 'DeleteObject');
}

/** A presigned GetObject URL (a few minutes) for a download link: the browser streams the object from S3. */
export async function downloadUrl(bucket: string, key: string): Promise<string> {
  const response = await fetch(CONSOLE_DOWNLOAD_URL_PATH, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', [CONSOLE_CSRF_HEADER]: sessionCsrfToken() },
    body: JSON.stringify({ bucket, key }),
  });
  return (await jsonAnswer<{ url: string }>(response)).url;
}

/**
 * PutObject through the pipe, reporting progress (`fetch` cannot report an upload's): resolves when S3 has the
 * object, rejects with S3's message.
 */
export function putObject(bucket: string, key: string, file: Blob, onProgress: (sent: number, total: number) => void): { done: Promise<void>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.open('PUT', `${CONSOLE_PIPE_PATH}${objectPath(bucket, key)}`);
    xhr.setRequestHeader(CONSOLE_CSRF_HEADER, sessionCsrfToken());
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      const text = xhr.responseText;
      let message = `PutObject: the cloud answered ${xhr.status}.`;
      let code = `Http${xhr.status}`;
      try {
        const json = JSON.parse(text) as { __type?: string; message?: string };
        code = json.__type ?? code;
        message = json.message ?? message;
      } catch {
        const xml = text ? xmlOf(text) : undefined;
        code = (xml && textOf(xml, 'Code')) ?? code;
        message = (xml && textOf(xml, 'Message')) ?? message;
      }
      reject(new ApiError(code, message, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError('NetworkError', 'The upload did not reach the cloud: check the connection and try again.', 0));
    xhr.onabort = () => reject(new ApiError('Aborted', 'The upload was cancelled.', 0));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
