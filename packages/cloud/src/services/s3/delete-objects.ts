import { isForteError, type ForteError } from '@forte/protocol';
import { xmlElements } from './xml-elements.js';
import type { SqlStore } from '../../engines/types.js';
import { readBody } from '../../kernel/read-body.js';
import { xmlUnescape } from '../../kernel/xml-escape.js';
import { deleteBlobQuietly } from './put-object.js';
import { requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { el, sendEmpty, sendXml } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

const MAX_DELETE_KEYS = 1000;
const MAX_DELETE_BODY = 2 * 1024 * 1024;

/** DeleteObject: 204 whether or not the key existed, as S3. */
export async function deleteObject(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:DeleteObject', s3Arn(call.bucket, call.key), 'AccessDenied');
  await requireBucket(call);
  const blobId = await call.store.sql.transaction((tx) => deleteAndRecord(call, call.key, tx));
  sendEmpty(call.ctx.res, 204);
  if (blobId !== undefined) await deleteBlobQuietly(call, blobId);
}

/** Deletes the object in `tx` and records its ObjectRemoved:Delete event when there was one to delete. */
async function deleteAndRecord(call: S3Call, key: string, tx: SqlStore): Promise<string | undefined> {
  const blobId = await call.store.deleteObject(call.bucket, key, tx);
  if (blobId !== undefined) await call.notifications.record(tx, call, { bucket: call.bucket, key, eventName: 'ObjectRemoved:Delete' });
  return blobId;
}

/** Keys and the Quiet flag of a `<Delete>` document. */
export function parseDeleteRequest(xml: string): { quiet: boolean; keys: string[] } {
  if (!/<Delete[\s>]/.test(xml)) throw malformed();
  const keys: string[] = [];
  for (const object of xmlElements(xml, 'Object', malformed)) {
    const key = xmlElements(object, 'Key', malformed)[0];
    if (key === undefined) throw malformed();
    keys.push(xmlUnescape(key));
  }
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) throw malformed();
  return { quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(xml), keys };
}

/** DeleteObjects (`POST ?delete`): each key authorized and deleted on its own; failures are listed. */
export async function deleteObjects(call: S3Call): Promise<void> {
  // Per-key denials are listed in the result; a caller with no identity at all is refused outright.
  if (call.principal.kind === 'anonymous') await call.ctx.authorize(call.principal, 's3:DeleteObject', s3Arn(call.bucket, '*'), 'AccessDenied');
  await requireBucket(call);
  const body = await readBody(call.ctx.req, MAX_DELETE_BODY);
  const { quiet, keys } = parseDeleteRequest(body.toString('utf8'));
  let result = '';
  for (const key of keys) {
    try {
      await call.ctx.authorize(call.principal, 's3:DeleteObject', s3Arn(call.bucket, key), 'AccessDenied');
      const blobId = await call.store.sql.transaction((tx) => deleteAndRecord(call, key, tx));
      if (blobId !== undefined) await deleteBlobQuietly(call, blobId);
      if (!quiet) result += `<Deleted>${el('Key', key)}</Deleted>`;
    } catch (error) {
      if (!isForteError(error)) throw error;
      result += `<Error>${el('Key', key)}${el('Code', error.code)}${el('Message', error.message)}</Error>`;
    }
  }
  sendXml(call.ctx.res, 'DeleteResult', result);
}

function malformed(): ForteError {
  return S3_ERRORS.error(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema (1 to ${MAX_DELETE_KEYS} <Object><Key> entries).`,
  );
}
