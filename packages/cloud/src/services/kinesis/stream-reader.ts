import { KINESIS_STREAM_ARN, type StreamReader, type StreamRecordEntry } from '../../kernel/capabilities.js';
import { parseSequenceNumber, sequenceNumberOf, shardIdOf } from './shards.js';
import type { StreamStore } from './stream-store.js';

/**
 * The streams' records as Lambda's event source mappings read them (KINESIS_STREAMS): by position, the sequence
 * number of the last record handled (one counter for the whole stream, increasing within each shard). Each read
 * answers records of one shard only (those of the first record's shard up to the first of another), as a
 * Lambda invocation of a Kinesis mapping holds one shard's records, in the shard's order. Each entry's `record`
 * is Lambda's Kinesis event record.
 */
export function createKinesisStreamReader(options: { store: StreamStore; region: string; accountId: string; now: () => number }) {
  const { store, region, accountId, now } = options;
  const listeners = new Set<(streamArn: string) => void>();

  /** The stream an ARN names in this cloud's region and account, if it exists. */
  const streamOf = async (arn: string) => {
    const match = KINESIS_STREAM_ARN.exec(arn);
    if (!match || match[1] !== region || match[2] !== accountId) return undefined;
    return store.get(match[3]!);
  };

  const reader: StreamReader = {
    exists: async (arn) => (await streamOf(arn)) !== undefined,
    async latestSequenceNumber(arn) {
      if (!(await streamOf(arn))) return undefined;
      const last = await store.lastId();
      return last === 0 ? undefined : sequenceNumberOf(last);
    },
    async read(arn, after, limit) {
      const stream = await streamOf(arn);
      const from = after === undefined ? 0 : parseSequenceNumber(after);
      if (!stream || from === undefined) return [];
      const rows = await store.readStream(stream, from, limit, now());
      const shard = rows[0]?.shard;
      const end = rows.findIndex((row) => row.shard !== shard);
      return (end < 0 ? rows : rows.slice(0, end)).map((row): StreamRecordEntry => {
        const sequenceNumber = sequenceNumberOf(row.id);
        return {
          sequenceNumber,
          createdAt: row.arrival,
          record: {
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: row.partitionKey,
              sequenceNumber,
              data: row.data,
              approximateArrivalTimestamp: row.arrival / 1000,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `${shardIdOf(row.shard)}:${sequenceNumber}`,
            eventName: 'aws:kinesis:record',
            awsRegion: region,
            eventSourceARN: arn,
          },
        };
      });
    },
    onRecords(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    reader,
    /** Wakes this instance's readers of the streams named (records were appended to them). */
    notify(streamArns: Iterable<string>): void {
      for (const arn of streamArns) for (const listener of listeners) listener(arn);
    },
  };
}
