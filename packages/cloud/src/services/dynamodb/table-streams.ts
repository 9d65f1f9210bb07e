import { randomUUID } from 'node:crypto';
import { lockAppendOrder } from '../../engines/dialect/append-order.js';
import type { SqlStore } from '../../engines/types.js';
import type { StreamReader, StreamRecordEntry } from '../../kernel/capabilities.js';
import type { TableItem } from '../../kernel/types.js';
import { itemSize } from './attribute-values.js';
import { keySchemaElements, type TableDefinition } from './table-definition.js';

/** DynamoDB keeps stream records for 24 hours. */
export const STREAM_RETENTION_MS = 24 * 3600 * 1000;
/** Sequence numbers are this plus the record's position: 21 decimal digits, so text order is number order. */
const SEQUENCE_BASE = 10n ** 20n;
/** Records dropped per statement when trimming, between turns of the event loop. */
const TRIM_BATCH = 1000;

/** Who made a change that is not a caller's write: DynamoDB's TTL process. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

export const sequenceNumberOf = (position: number): string => String(SEQUENCE_BASE + BigInt(position));

/** The position a sequence number names, or undefined when it is not one of ours. */
export function positionOf(sequenceNumber: string): number | undefined {
  if (!/^[0-9]{21,40}$/.test(sequenceNumber)) return undefined;
  const position = BigInt(sequenceNumber) - SEQUENCE_BASE;
  return position >= 0n && position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : undefined;
}

/** A stream as ListStreams and DescribeStream describe it. */
export interface StreamInfo {
  arn: string;
  tableName: string;
  label: string;
  viewType: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  createdAt: number;
  /** When the table stopped writing to it (stream turned off or changed, table deleted). */
  disabledAt?: number;
}

interface StreamRow {
  stream_arn: string;
  table_name: string;
  label: string;
  view_type: string;
  key_schema: string;
  created_at: number;
  disabled_at: number | null;
}

const infoOf = (row: StreamRow): StreamInfo => ({
  arn: row.stream_arn,
  tableName: row.table_name,
  label: row.label,
  viewType: row.view_type,
  keySchema: JSON.parse(row.key_schema) as StreamInfo['keySchema'],
  createdAt: Number(row.created_at),
  ...(row.disabled_at === null ? {} : { disabledAt: Number(row.disabled_at) }),
});

/** Whether two stored items hold the same data (map keys and set members in any order). */
export function sameItem(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => sameItem(value, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) {
    if (!(key in right)) return false;
    if (key === 'SS' || key === 'NS' || key === 'BS') {
      const [x, y] = [left[key], right[key]];
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      const members = new Set(x as unknown[]);
      if (!(y as unknown[]).every((member) => members.has(member))) return false;
    } else if (!sameItem(left[key], right[key])) return false;
  }
  return true;
}

function keysOf(table: TableDefinition, item: TableItem): TableItem {
  const keys: TableItem = {};
  for (const attribute of [table.key.hash, table.key.range]) if (attribute && item[attribute.name]) keys[attribute.name] = item[attribute.name]!;
  return keys;
}

/**
 * The tables' streams, kept in SQL beside the items: `append` writes a write's record in the write's own
 * transaction (so a committed write has exactly one record and a rolled-back one none), `flush` tells the
 * readers once the transaction has ended. Records are kept for 24 hours (`trim`).
 */
export function createTableStreams(options: {
  sql: SqlStore;
  region: string;
  arnPrefix: () => string;
  /** Tells the other instances sharing the database which streams were just written (their readers' wake-ups). */
  onFlushed?: (streamArns: string[]) => void;
  now?: () => number;
}) {
  const { sql } = options;
  const now = options.now ?? Date.now;
  const listeners = new Set<(streamArn: string) => void>();
  let pending = new Set<string>();
  const notify = (streamArns: Iterable<string>): void => {
    for (const arn of streamArns) for (const listener of listeners) listener(arn);
  };

  const streamArn = (table: TableDefinition): string | undefined =>
    table.stream?.StreamEnabled && table.streamLabel ? `${options.arnPrefix()}table/${table.name}/stream/${table.streamLabel}` : undefined;

  const cutoff = (): number => now() - STREAM_RETENTION_MS;

  async function stream(arn: string): Promise<StreamInfo | undefined> {
    const row = await sql.get<StreamRow>(
      'SELECT stream_arn, table_name, label, view_type, key_schema, created_at, disabled_at FROM dynamodb_streams WHERE stream_arn = ?',
      [arn],
    );
    if (!row || (row.disabled_at !== null && Number(row.disabled_at) < cutoff())) return undefined;
    return infoOf(row);
  }

  const reader: StreamReader = {
    exists: async (arn) => (await stream(arn)) !== undefined,
    async latestSequenceNumber(arn) {
      const row = await sql.get<{ position: number | null }>('SELECT MAX(sequence) AS position FROM dynamodb_stream_records WHERE stream_arn = ?', [arn]);
      return row?.position === null || row?.position === undefined ? undefined : sequenceNumberOf(Number(row.position));
    },
    async read(arn, after, limit) {
      const from = after === undefined ? -1 : positionOf(after);
      if (from === undefined) return [];
      const rows = await sql.all<{ sequence: number; created_at: number; record: string }>(
        'SELECT sequence, created_at, record FROM dynamodb_stream_records WHERE stream_arn = ? AND sequence > ? AND created_at >= ? ORDER BY sequence LIMIT ?',
        [arn, from, cutoff(), limit],
      );
      return rows.map((row): StreamRecordEntry => ({
        sequenceNumber: sequenceNumberOf(Number(row.sequence)),
        createdAt: Number(row.created_at),
        record: JSON.parse(row.record) as Record<string, unknown>,
      }));
    },
    onRecords(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    reader,
    streamArn,

    /**
     * Records one write of `table` (nothing when the table has no stream on, or the write changed nothing, as
     * DynamoDB Streams does), in the transaction `tx` of the write. `identity` marks TTL deletions.
     */
    async append(
      tx: SqlStore,
      table: TableDefinition,
      before: TableItem | undefined,
      after: TableItem | undefined,
      identity?: typeof TTL_IDENTITY,
    ): Promise<void> {
      const arn = streamArn(table);
      if (!arn || (!before && !after)) return;
      if (before && after && sameItem(before, after)) return;
      const viewType = table.stream!.StreamViewType ?? 'KEYS_ONLY';
      const eventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
      const keys = keysOf(table, (after ?? before)!);
      // Positions are taken and committed in one order, so a reader past a position never misses an earlier one.
      await lockAppendOrder(tx, arn);
      const at = now();
      // Positions follow the clock (microseconds) and always rise past the stream's last one, read under the
      // lock in this transaction: whichever instance of a cluster appends, and whatever its clock says.
      const newest = await tx.get<{ position: number | null }>('SELECT MAX(sequence) AS position FROM dynamodb_stream_records WHERE stream_arn = ?', [arn]);
      const position = Math.max(Number(newest?.position ?? 0) + 1, at * 1000);
      const change: Record<string, unknown> = { ApproximateCreationDateTime: Math.floor(at / 1000), Keys: keys };
      let size = itemSize(keys);
      if (after && (viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
        change.NewImage = after;
        size += itemSize(after);
      }
      if (before && (viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
        change.OldImage = before;
        size += itemSize(before);
      }
      change.SequenceNumber = sequenceNumberOf(position);
      change.SizeBytes = size;
      change.StreamViewType = viewType;
      const record: Record<string, unknown> = {
        // 32 hex digits, as DynamoDB's; randomUUID draws from a cached pool of random bytes.
        eventID: randomUUID().replaceAll('-', ''),
        eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: options.region,
        dynamodb: change,
        eventSourceARN: arn,
        ...(identity ? { userIdentity: identity } : {}),
      };
      await tx.run('INSERT INTO dynamodb_stream_records (stream_arn, sequence, created_at, record) VALUES (?, ?, ?, ?)', [
        arn,
        position,
        at,
        JSON.stringify(record),
      ]);
      pending.add(arn);
    },

    /**
     * Tells the readers about the streams written since the last flush (call it once the write's transaction has
     * ended): this instance's at once, the others' through `onFlushed`.
     */
    flush(): void {
      if (pending.size === 0) return;
      const streams = [...pending];
      pending = new Set();
      notify(streams);
      options.onFlushed?.(streams);
    },

    /** Wakes this instance's readers of streams another instance wrote. */
    notify,

    /**
     * Keeps the stream list in line with a table's definition change (`previous` → `next`, either absent
     * for a create or delete): a stream the table no longer writes is disabled (its records stay readable
     * for 24 hours), a new one is listed.
     */
    async sync(tx: SqlStore, previous: TableDefinition | undefined, next: TableDefinition | undefined): Promise<void> {
      const before = previous && streamArn(previous);
      const after = next && streamArn(next);
      if (before && before !== after) await tx.run('UPDATE dynamodb_streams SET disabled_at = ? WHERE stream_arn = ?', [now(), before]);
      if (next && after) {
        await tx.run(
          'INSERT INTO dynamodb_streams (stream_arn, table_name, label, view_type, key_schema, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (stream_arn) DO UPDATE SET disabled_at = NULL, view_type = excluded.view_type, key_schema = excluded.key_schema',
          [after, next.name, next.streamLabel, next.stream?.StreamViewType ?? 'KEYS_ONLY', JSON.stringify(keySchemaElements(next.key)), now()],
        );
      }
    },

    /** Streams, in ARN order after `start`, of one table or all; disabled ones while their records are kept. */
    async list(tableName: string | undefined, start: string | undefined, limit: number): Promise<StreamInfo[]> {
      const rows = await sql.all<StreamRow>(
        `SELECT stream_arn, table_name, label, view_type, key_schema, created_at, disabled_at FROM dynamodb_streams WHERE stream_arn > ? AND (disabled_at IS NULL OR disabled_at >= ?)${tableName === undefined ? '' : ' AND table_name = ?'} ORDER BY stream_arn LIMIT ?`,
        [start ?? '', cutoff(), ...(tableName === undefined ? [] : [tableName]), limit],
      );
      return rows.map(infoOf);
    },

    stream,

    /** The oldest and newest positions a stream keeps (undefined when it keeps no record). */
    async range(arn: string): Promise<{ first: number; last: number } | undefined> {
      const row = await sql.get<{ first: number | null; last: number | null }>(
        'SELECT MIN(sequence) AS first, MAX(sequence) AS last FROM dynamodb_stream_records WHERE stream_arn = ? AND created_at >= ?',
        [arn, cutoff()],
      );
      return row?.first === null || row?.first === undefined ? undefined : { first: Number(row.first), last: Number(row.last) };
    },

    /** Drops records older than 24 hours, a batch per turn of the event loop, and the disabled streams left without records. */
    async trim(): Promise<number> {
      let dropped = 0;
      for (;;) {
        // A batch named by its primary key, which both engines compare as a row value.
        const { changes } = await sql.run(
          'DELETE FROM dynamodb_stream_records WHERE (stream_arn, sequence) IN (SELECT stream_arn, sequence FROM dynamodb_stream_records WHERE created_at < ? LIMIT ?)',
          [cutoff(), TRIM_BATCH],
        );
        dropped += changes;
        if (changes < TRIM_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await sql.run('DELETE FROM dynamodb_streams WHERE disabled_at IS NOT NULL AND disabled_at < ?', [cutoff()]);
      return dropped;
    },
  };
}

export type TableStreams = ReturnType<typeof createTableStreams>;
