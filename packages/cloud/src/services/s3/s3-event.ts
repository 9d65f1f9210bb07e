/** Bytes S3 writes as they are in an event's object key: letters, digits, `.-*_` and `/`. */
const KEPT = /[A-Za-z0-9.\-*_/]/;

/**
 * An object key as S3 writes it in event notifications: form-URL-encoded (UTF-8 bytes as `%XX`, a space as
 * `+`), with `/` kept, so `photos/red flower+1.jpg` is `photos/red+flower%2B1.jpg`.
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && KEPT.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What S3 writes into one event record about the change, the request that made it and the destination. */
export interface S3EventInput {
  region: string;
  eventTime: string;
  /** Without the `s3:` prefix: `ObjectCreated:Put`, `ObjectRemoved:Delete`, … */
  eventName: string;
  principalId: string;
  sourceIPAddress: string;
  requestId: string;
  hostId: string;
  configurationId: string;
  bucket: string;
  ownerId: string;
  key: string;
  /** Created objects only (a removal's record has neither). */
  size?: number;
  /** Without quotes, as events carry it. */
  eTag?: string;
}

/**
 * One record of S3's event message (version 2.1) without its `sequencer`, which the dispatcher adds from the
 * record's place in the outbox.
 */
export function s3EventRecord(input: S3EventInput): Record<string, unknown> {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: input.eventTime,
    eventName: input.eventName,
    userIdentity: { principalId: input.principalId },
    requestParameters: { sourceIPAddress: input.sourceIPAddress },
    responseElements: { 'x-amz-request-id': input.requestId, 'x-amz-id-2': input.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: input.configurationId,
      bucket: { name: input.bucket, ownerIdentity: { principalId: input.ownerId }, arn: `arn:aws:s3:::${input.bucket}` },
      object: {
        key: encodeEventKey(input.key),
        ...(input.size === undefined ? {} : { size: input.size }),
        ...(input.eTag === undefined ? {} : { eTag: input.eTag }),
      },
    },
  };
}

/**
 * S3's `sequencer`: hexadecimal, growing with each change of a key (compared as strings of equal length), here
 * the outbox position of the change, which only grows.
 */
export const sequencerOf = (position: number): string => position.toString(16).toUpperCase().padStart(18, '0');
