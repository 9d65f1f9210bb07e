import { createHash } from 'node:crypto';

/** Kinesis's hash key space: 0 to 2^128 - 1, split evenly between a stream's shards. */
const SPACE = 1n << 128n;

/** `shardId-000000000003` for shard 3. */
export const shardIdOf = (index: number): string => `shardId-${String(index).padStart(12, '0')}`;

/** The index of `shardId-<12 digits>`, or undefined for anything else or a shard the stream does not have. */
export function shardIndexOf(shardId: string, shardCount: number): number | undefined {
  const match = /^shardId-(\d{12})$/.exec(shardId);
  if (!match) return undefined;
  const index = Number(match[1]);
  return index < shardCount ? index : undefined;
}

/** The first and last hash key of shard `index` of `shardCount`, as decimal strings (DescribeStream, ListShards). */
export function hashKeyRange(index: number, shardCount: number): { StartingHashKey: string; EndingHashKey: string } {
  const size = SPACE / BigInt(shardCount);
  const start = size * BigInt(index);
  const end = index === shardCount - 1 ? SPACE - 1n : start + size - 1n;
  return { StartingHashKey: start.toString(), EndingHashKey: end.toString() };
}

/** The hash key of a partition key: its MD5 as a 128-bit number, as Kinesis maps it. */
export const hashKeyOf = (partitionKey: string): bigint => BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);

/** The shard a hash key falls in. */
export function shardOfHashKey(hashKey: bigint, shardCount: number): number {
  const size = SPACE / BigInt(shardCount);
  return Math.min(shardCount - 1, Number(hashKey / size));
}

/** An ExplicitHashKey: a decimal number from 0 to 2^128 - 1, or undefined when it is not one. */
export function parseHashKey(text: string): bigint | undefined {
  if (!/^\d{1,39}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < SPACE ? value : undefined;
}

/** Sequence numbers as Kinesis writes them: decimal strings; here a record's id, padded so that they sort as text too. */
export const sequenceNumberOf = (id: number): string => String(id).padStart(21, '0');

/** A sequence number given by a caller, as a record id, or undefined when it is not one. */
export function parseSequenceNumber(text: string): number | undefined {
  if (!/^\d{1,128}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
