import { createHash } from 'node:crypto';
import { defineErrorTable } from '@forte/protocol';
import { z } from 'zod';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import { positionOf, sequenceNumberOf, type StreamInfo, type TableStreams } from './table-streams.js';

/** DynamoDB Streams' error codes, besides the kernel's. */
export const STREAMS_ERRORS = defineErrorTable('dynamodb-streams', {
  ...JSON_API_ERROR_STATUS,
  ExpiredIteratorException: 400,
  LimitExceededException: 400,
  ResourceNotFoundException: 400,
  TrimmedDataAccessException: 400,
  ValidationException: 400,
});

/** A shard iterator is good for 15 minutes, as DynamoDB Streams' are. */
const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;
/** GetRecords answers at most 1000 records and about 1 MB. */
const MAX_RECORDS = 1000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A stream ARN: `arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>`. One of another shape is
 * refused as invalid (ValidationException, as DynamoDB Streams does); one of this shape that names no stream is
 * not found (ResourceNotFoundException).
 */
const STREAM_ARN = /^arn:[a-z-]+:dynamodb:[a-z0-9-]*:\d*:table\/[\w.-]+\/stream\/[^/]+$/;
const streamArn = z
  .string()
  .min(37)
  .max(1024)
  .refine((arn) => STREAM_ARN.test(arn), { message: 'Invalid StreamArn: it is not the ARN of a DynamoDB stream' });
const shardId = z.string().min(28).max(65);
const sequenceNumber = z.string().min(21).max(40);

/** What a shard iterator holds: the stream and the position it reads after (-1: before every record). */
interface Iterator {
  arn: string;
  after: number;
  issuedAt: number;
}

const encodeIterator = (iterator: Iterator): string =>
  Buffer.from(JSON.stringify({ s: iterator.arn, a: iterator.after, t: iterator.issuedAt })).toString('base64url');

function decodeIterator(text: string): Iterator | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { s?: unknown; a?: unknown; t?: unknown };
    if (typeof value.s !== 'string' || !Number.isSafeInteger(value.a) || !Number.isSafeInteger(value.t)) return undefined;
    return { arn: value.s, after: value.a as number, issuedAt: value.t as number };
  } catch {
    return undefined;
  }
}

/** The one shard of a stream: Forte keeps each stream's records in one ordered sequence. */
export const shardIdOf = (stream: Pick<StreamInfo, 'arn' | 'createdAt'>): string =>
  `shardId-${String(stream.createdAt).padStart(20, '0')}-${createHash('sha256').update(stream.arn).digest('hex').slice(0, 8)}`;

/**
 * The DynamoDB Streams API (`DynamoDBStreams_20120810.*`, SigV4 service `dynamodb`) as
 * `@aws-sdk/client-dynamodb-streams` uses it: ListStreams, DescribeStream, GetShardIterator, GetRecords.
 * Each stream has one shard holding all its records in order. Calls are authorized on the stream's ARN.
 */
export function createStreamsOperations(deps: { streams: TableStreams; arnPrefix: () => string; now?: () => number }): Record<string, JsonOperation> {
  const { streams } = deps;
  const now = deps.now ?? Date.now;

  const notFound = (arn: string) => STREAMS_ERRORS.error('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);
  async function requireStream(arn: string): Promise<StreamInfo> {
    const stream = await streams.stream(arn);
    if (!stream) throw notFound(arn);
    return stream;
  }

  return {
    ListStreams: defineOperation({
      input: z.object({
        TableName: z.string().min(3).max(255).optional(),
        Limit: z.number().int().min(1).max(100).optional(),
        ExclusiveStartStreamArn: streamArn.optional(),
      }),
      resources: (input) => [`${deps.arnPrefix()}table/${input.TableName ?? '*'}/stream/*`],
      async handler(input) {
        const limit = input.Limit ?? 100;
        const found = await streams.list(input.TableName, input.ExclusiveStartStreamArn, limit + 1);
        const page = found.slice(0, limit);
        return {
          Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })),
          ...(found.length > limit ? { LastEvaluatedStreamArn: page.at(-1)!.arn } : {}),
        };
      },
    }),

    DescribeStream: defineOperation({
      input: z.object({
        StreamArn: streamArn,
        Limit: z.number().int().min(1).max(100).optional(),
        ExclusiveStartShardId: shardId.optional(),
        // CHILD_SHARDS of a shard: the shards split from it. A stream here never splits its one shard.
        ShardFilter: z.object({ Type: z.enum(['CHILD_SHARDS']), ShardId: shardId }).optional(),
      }),
      resources: (input) => [input.StreamArn],
      async handler(input) {
        const stream = await requireStream(input.StreamArn);
        const shardId = shardIdOf(stream);
        if (input.ShardFilter && input.ShardFilter.ShardId !== shardId)
          throw STREAMS_ERRORS.error('ResourceNotFoundException', `Requested resource not found: Shard does not exist: ${input.ShardFilter.ShardId}`);
        const range = await streams.range(stream.arn);
        const shards =
          input.ExclusiveStartShardId === undefined && !input.ShardFilter
            ? [
                {
                  ShardId: shardId,
                  SequenceNumberRange: {
                    StartingSequenceNumber: sequenceNumberOf(range?.first ?? stream.createdAt * 1000),
                    ...(stream.disabledAt !== undefined ? { EndingSequenceNumber: sequenceNumberOf(range?.last ?? stream.createdAt * 1000) } : {}),
                  },
                },
              ]
            : [];
        return {
          StreamDescription: {
            StreamArn: stream.arn,
            StreamLabel: stream.label,
            StreamStatus: stream.disabledAt === undefined ? 'ENABLED' : 'DISABLED',
            StreamViewType: stream.viewType,
            CreationRequestDateTime: stream.createdAt / 1000,
            TableName: stream.tableName,
            KeySchema: stream.keySchema,
            Shards: shards,
          },
        };
      },
    }),

    GetShardIterator: defineOperation({
      input: z.object({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER']),
        SequenceNumber: sequenceNumber.optional(),
      }),
      resources: (input) => [input.StreamArn],
      async handler(input) {
        const stream = await requireStream(input.StreamArn);
        if (input.ShardId !== shardIdOf(stream))
          throw STREAMS_ERRORS.error('ResourceNotFoundException', `Requested resource not found: Shard does not exist: ${input.ShardId}`);
        let after: number;
        if ((input.ShardIteratorType === 'TRIM_HORIZON' || input.ShardIteratorType === 'LATEST') && input.SequenceNumber !== undefined)
          throw STREAMS_ERRORS.error(
            'ValidationException',
            `SequenceNumber is only for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER iterators, not ${input.ShardIteratorType}.`,
          );
        if (input.ShardIteratorType === 'TRIM_HORIZON') after = -1;
        else if (input.ShardIteratorType === 'LATEST') after = (await streams.range(stream.arn))?.last ?? -1;
        else {
          if (input.SequenceNumber === undefined)
            throw STREAMS_ERRORS.error('ValidationException', `SequenceNumber is required with ShardIteratorType ${input.ShardIteratorType}.`);
          const position = positionOf(input.SequenceNumber);
          if (position === undefined)
            throw STREAMS_ERRORS.error('ValidationException', `Invalid SequenceNumber ${input.SequenceNumber}: it is not a sequence number of this stream.`);
          after = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? position - 1 : position;
        }
        return { ShardIterator: encodeIterator({ arn: stream.arn, after, issuedAt: now() }) };
      },
    }),

    GetRecords: defineOperation({
      input: z.object({ ShardIterator: z.string().min(1).max(2048), Limit: z.number().int().min(1).max(MAX_RECORDS).optional() }),
      // The stream is named inside the iterator; one that cannot be read is refused by the handler.
      resources: (input) => [decodeIterator(input.ShardIterator)?.arn ?? `${deps.arnPrefix()}table/*/stream/*`],
      async handler(input) {
        const iterator = decodeIterator(input.ShardIterator);
        if (!iterator) throw STREAMS_ERRORS.error('ValidationException', 'Invalid ShardIterator: get one with GetShardIterator.');
        if (now() - iterator.issuedAt > ITERATOR_LIFETIME_MS)
          throw STREAMS_ERRORS.error(
            'ExpiredIteratorException',
            'Iterator expired. The iterator was created more than 15 minutes ago: get a new one with GetShardIterator.',
          );
        const stream = await requireStream(iterator.arn);
        const entries = await streams.reader.read(stream.arn, iterator.after < 0 ? undefined : sequenceNumberOf(iterator.after), input.Limit ?? MAX_RECORDS);
        const records: Record<string, unknown>[] = [];
        let bytes = 0;
        let after = iterator.after;
        for (const entry of entries) {
          // The API's records are Lambda's without eventSourceARN, and with the API's member names for userIdentity.
          const {
            eventSourceARN: _arn,
            userIdentity,
            ...record
          } = entry.record as Record<string, unknown> & { userIdentity?: { type: string; principalId: string } };
          if (userIdentity) record.userIdentity = { PrincipalId: userIdentity.principalId, Type: userIdentity.type };
          bytes += JSON.stringify(record).length;
          if (records.length > 0 && bytes > MAX_RESPONSE_BYTES) break;
          records.push(record);
          after = positionOf(entry.sequenceNumber)!;
        }
        // A disabled stream's shard is closed: once read to its end there is no next iterator.
        const closed = stream.disabledAt !== undefined && records.length === 0;
        return { Records: records, ...(closed ? {} : { NextShardIterator: encodeIterator({ arn: stream.arn, after, issuedAt: now() }) }) };
      },
    }),
  };
}
