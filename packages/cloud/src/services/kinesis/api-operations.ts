import { z } from 'zod';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import { KINESIS_ERRORS } from './kinesis-errors.js';
import { hashKeyOf, hashKeyRange, parseHashKey, parseSequenceNumber, sequenceNumberOf, shardIdOf, shardIndexOf, shardOfHashKey } from './shards.js';
import type { StoredStream, StreamStore } from './stream-store.js';

export interface KinesisContext {
  store: StreamStore;
  region: string;
  accountId: string;
  now: () => number;
  /** Called with the stream's ARN once records were appended to it (its readers are woken). */
  appended?: (streamArn: string) => void;
}

/** Most bytes of one record's data, and of one PutRecords call's data and partition keys (as Kinesis). */
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_PUT_BYTES = 5 * 1024 * 1024;
/** Most bytes of data one GetRecords call answers (as Kinesis). */
const MAX_GET_BYTES = 10 * 1024 * 1024;
/** How long a shard iterator is good for (as Kinesis). */
const ITERATOR_MS = 5 * 60_000;

const streamName = z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'stream names are 1 to 128 letters, digits and _ . -');
const streamArn = z.string().min(1).max(2048);
const streamRef = { StreamName: streamName.optional(), StreamARN: streamArn.optional() };
const partitionKey = z.string().min(1).max(256);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Data must be base64');
const record = { Data: base64, PartitionKey: partitionKey, ExplicitHashKey: z.string().optional() };

export const streamArnOf = (ctx: KinesisContext, name: string): string => `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/${name}`;

/** The stream a call names by StreamName or StreamARN (both: they must agree). */
function nameOf(ctx: KinesisContext, input: { StreamName?: string | undefined; StreamARN?: string | undefined }): string {
  const fromArn =
    input.StreamARN === undefined ? undefined : /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]{1,128})$/.exec(input.StreamARN)?.[1];
  if (input.StreamARN !== undefined && fromArn === undefined)
    throw KINESIS_ERRORS.error(
      'ValidationException',
      `StreamARN ${input.StreamARN.slice(0, 200)} is not a stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>).`,
    );
  const name = input.StreamName ?? fromArn;
  if (name === undefined) throw KINESIS_ERRORS.error('ValidationException', 'Give StreamName or StreamARN.');
  if (fromArn !== undefined && fromArn !== name) throw KINESIS_ERRORS.error('ValidationException', 'StreamName and StreamARN name different streams.');
  return name;
}

/** The stream a call names (by StreamName or StreamARN); ResourceNotFoundException when there is none. */
async function streamOf(ctx: KinesisContext, input: { StreamName?: string | undefined; StreamARN?: string | undefined }): Promise<StoredStream> {
  const name = nameOf(ctx, input);
  const stream = await ctx.store.get(name);
  if (!stream) throw KINESIS_ERRORS.error('ResourceNotFoundException', `Stream ${name} under account ${ctx.accountId} not found.`);
  return stream;
}

const seconds = (ms: number): number => ms / 1000;

function shardsOf(stream: StoredStream): Array<Record<string, unknown>> {
  return Array.from({ length: stream.shardCount }, (_, i) => ({
    ShardId: shardIdOf(i),
    HashKeyRange: hashKeyRange(i, stream.shardCount),
    SequenceNumberRange: { StartingSequenceNumber: sequenceNumberOf(0) },
  }));
}

function summaryOf(ctx: KinesisContext, stream: StoredStream): Record<string, unknown> {
  return {
    StreamName: stream.name,
    StreamARN: streamArnOf(ctx, stream.name),
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: stream.onDemand ? 'ON_DEMAND' : 'PROVISIONED' },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: seconds(stream.createdAt),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

/** The shard a record goes to: its ExplicitHashKey's, else its partition key's MD5. */
function shardFor(stream: StoredStream, r: { PartitionKey: string; ExplicitHashKey?: string | undefined }): number {
  if (r.ExplicitHashKey === undefined) return shardOfHashKey(hashKeyOf(r.PartitionKey), stream.shardCount);
  const key = parseHashKey(r.ExplicitHashKey);
  if (key === undefined)
    throw KINESIS_ERRORS.error('InvalidArgumentException', `ExplicitHashKey ${r.ExplicitHashKey.slice(0, 60)} is not a number from 0 to 2^128 - 1.`);
  return shardOfHashKey(key, stream.shardCount);
}

/** What a shard iterator holds: the stream (and its creation, so a stream made again does not take old iterators), the shard, where to go on from and until when. */
interface Iterator {
  stream: string;
  created: number;
  shard: number;
  after: number;
  expires: number;
}

const encodeIterator = (it: Iterator): string =>
  Buffer.from(JSON.stringify([it.stream, it.created, it.shard, it.after, it.expires]), 'utf8').toString('base64url');

function decodeIterator(text: string): Iterator {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 5 && typeof value[0] === 'string' && value.slice(1).every((n) => Number.isSafeInteger(n)))
      return { stream: value[0], created: value[1], shard: value[2], after: value[3], expires: value[4] } as Iterator;
  } catch {
    // refused below
  }
  throw KINESIS_ERRORS.error('InvalidArgumentException', 'ShardIterator is not one GetShardIterator or GetRecords answered.');
}

/** The Kinesis Data Streams operations for writing records and reading them back. */
export function createKinesisOperations(ctx: KinesisContext): Record<string, JsonOperation> {
  const arnFor = (input: { StreamName?: string | undefined; StreamARN?: string | undefined }): string[] => [streamArnOf(ctx, nameOf(ctx, input))];

  const put = async (stream: StoredStream, records: ReadonlyArray<{ Data: string; PartitionKey: string; ExplicitHashKey?: string | undefined }>) => {
    let total = 0;
    const rows = records.map((r) => {
      const bytes = Buffer.byteLength(r.Data, 'base64');
      if (bytes > MAX_RECORD_BYTES)
        throw KINESIS_ERRORS.error('ValidationException', `A record's data is at most ${MAX_RECORD_BYTES} bytes (this one has ${bytes}).`);
      total += bytes + Buffer.byteLength(r.PartitionKey, 'utf8');
      return { shard: shardFor(stream, r), partitionKey: r.PartitionKey, data: Buffer.from(r.Data, 'base64').toString('base64') };
    });
    if (total > MAX_PUT_BYTES)
      throw KINESIS_ERRORS.error('InvalidArgumentException', `Records size exceeds ${MAX_PUT_BYTES} bytes (${total}): send them in several calls.`);
    const ids = await ctx.store.append(stream, rows, ctx.now());
    ctx.appended?.(streamArnOf(ctx, stream.name));
    return rows.map((r, i) => ({ ShardId: shardIdOf(r.shard), SequenceNumber: sequenceNumberOf(ids[i]!) }));
  };

  return {
    ListStreams: defineOperation({
      input: z.object({
        Limit: z.number().int().min(1).max(10000).optional(),
        ExclusiveStartStreamName: streamName.optional(),
        NextToken: z.string().optional(),
      }),
      async handler(input) {
        const limit = input.Limit ?? 100;
        const after = input.NextToken !== undefined ? Buffer.from(input.NextToken, 'base64url').toString('utf8') : (input.ExclusiveStartStreamName ?? '');
        const page = await ctx.store.list(after, limit + 1);
        const shown = page.slice(0, limit);
        return {
          StreamNames: shown.map((s) => s.name),
          HasMoreStreams: page.length > limit,
          StreamSummaries: shown.map((s) => {
            const { StreamName, StreamARN, StreamStatus, StreamModeDetails, StreamCreationTimestamp } = summaryOf(ctx, s);
            return { StreamName, StreamARN, StreamStatus, StreamModeDetails, StreamCreationTimestamp };
          }),
          ...(page.length > limit ? { NextToken: Buffer.from(shown.at(-1)!.name, 'utf8').toString('base64url') } : {}),
        };
      },
    }),

    DescribeStream: defineOperation({
      input: z.object({ ...streamRef, Limit: z.number().int().min(1).max(10000).optional(), ExclusiveStartShardId: z.string().optional() }),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        const all = shardsOf(stream);
        const start = input.ExclusiveStartShardId === undefined ? 0 : (shardIndexOf(input.ExclusiveStartShardId, Number.MAX_SAFE_INTEGER) ?? -1) + 1;
        const shards = all.slice(start, start + (input.Limit ?? 100));
        return { StreamDescription: { ...summaryOf(ctx, stream), Shards: shards, HasMoreShards: start + shards.length < all.length } };
      },
    }),

    DescribeStreamSummary: defineOperation({
      input: z.object(streamRef),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        return { StreamDescriptionSummary: { ...summaryOf(ctx, stream), OpenShardCount: stream.shardCount, ConsumerCount: 0 } };
      },
    }),

    ListShards: defineOperation({
      input: z.object({ ...streamRef, MaxResults: z.number().int().min(1).max(10000).optional(), NextToken: z.string().optional() }),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        const all = shardsOf(stream);
        const start = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8')) || 0;
        const max = input.MaxResults ?? 1000;
        return {
          Shards: all.slice(start, start + max),
          ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max), 'utf8').toString('base64url') } : {}),
        };
      },
    }),

    PutRecord: defineOperation({
      input: z.object({ ...streamRef, ...record, SequenceNumberForOrdering: z.string().optional() }),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        const [answer] = await put(stream, [input]);
        return { ...answer, EncryptionType: 'NONE' };
      },
    }),

    PutRecords: defineOperation({
      input: z.object({ ...streamRef, Records: z.array(z.object(record)).min(1).max(500) }),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        return { FailedRecordCount: 0, Records: await put(stream, input.Records), EncryptionType: 'NONE' };
      },
    }),

    GetShardIterator: defineOperation({
      input: z.object({
        ...streamRef,
        ShardId: z.string().min(1).max(128),
        ShardIteratorType: z.enum(['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']),
        StartingSequenceNumber: z.string().optional(),
        Timestamp: z.number().optional(),
      }),
      resources: arnFor,
      async handler(input) {
        const stream = await streamOf(ctx, input);
        const shard = shardIndexOf(input.ShardId, stream.shardCount);
        if (shard === undefined)
          throw KINESIS_ERRORS.error(
            'ResourceNotFoundException',
            `Shard ${input.ShardId} in stream ${stream.name} under account ${ctx.accountId} does not exist`,
          );
        let after: number;
        switch (input.ShardIteratorType) {
          case 'TRIM_HORIZON':
            after = 0;
            break;
          case 'LATEST':
            after = await ctx.store.lastId();
            break;
          case 'AT_TIMESTAMP':
            if (input.Timestamp === undefined) throw KINESIS_ERRORS.error('InvalidArgumentException', 'AT_TIMESTAMP needs a Timestamp.');
            after = await ctx.store.beforeTime(stream, shard, Math.round(input.Timestamp * 1000));
            break;
          default: {
            const sequence = input.StartingSequenceNumber === undefined ? undefined : parseSequenceNumber(input.StartingSequenceNumber);
            if (sequence === undefined)
              throw KINESIS_ERRORS.error('InvalidArgumentException', `${input.ShardIteratorType} needs a StartingSequenceNumber this stream gave.`);
            after = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? Math.max(0, sequence - 1) : sequence;
          }
        }
        return { ShardIterator: encodeIterator({ stream: stream.name, created: stream.createdAt, shard, after, expires: ctx.now() + ITERATOR_MS }) };
      },
    }),

    GetRecords: defineOperation({
      input: z.object({ ShardIterator: z.string().min(1).max(512), Limit: z.number().int().min(1).max(10000).optional(), StreamARN: streamArn.optional() }),
      resources: (input) => [streamArnOf(ctx, decodeIterator(input.ShardIterator).stream)],
      async handler(input) {
        const it = decodeIterator(input.ShardIterator);
        const now = ctx.now();
        if (it.expires < now)
          throw KINESIS_ERRORS.error(
            'ExpiredIteratorException',
            `Iterator expired. The iterator was created at time ${new Date(it.expires - ITERATOR_MS).toISOString()} while right now it is ${new Date(now).toISOString()} which is further in the future than the tolerated delay of 300000 milliseconds.`,
          );
        const stream = await ctx.store.get(it.stream);
        if (!stream || stream.createdAt !== it.created || it.shard >= stream.shardCount)
          throw KINESIS_ERRORS.error(
            'ResourceNotFoundException',
            `Shard ${shardIdOf(it.shard)} in stream ${it.stream} under account ${ctx.accountId} does not exist`,
          );
        const limit = input.Limit ?? 10000;
        // Base64 takes 4 characters for 3 bytes.
        const rows = await ctx.store.read(stream, it.shard, it.after, limit, Math.floor(MAX_GET_BYTES / 3) * 4, now);
        const records = rows.map((r) => ({
          SequenceNumber: sequenceNumberOf(r.id),
          ApproximateArrivalTimestamp: seconds(r.arrival),
          Data: r.data,
          PartitionKey: r.partitionKey,
        }));
        const after = rows.at(-1)?.id ?? it.after;
        const newest = rows.at(-1)?.arrival ?? now;
        // Behind the newest record when this answer stopped short of the shard's end (at the limit or the size).
        const more = rows.length > 0 && (await ctx.store.hasAfter(stream, it.shard, after, now));
        return {
          Records: records,
          NextShardIterator: encodeIterator({ ...it, after, expires: now + ITERATOR_MS }),
          MillisBehindLatest: more ? Math.max(0, now - newest) : 0,
        };
      },
    }),
  };
}
