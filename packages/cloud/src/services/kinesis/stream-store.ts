import { lockAppendOrder } from '../../engines/dialect/append-order.js';
import type { SqlStore } from '../../engines/types.js';

/** A stream as kept. */
export interface StoredStream {
  name: string;
  shardCount: number;
  retentionHours: number;
  onDemand: boolean;
  createdAt: number;
}

/** A record as kept: its id is its sequence number. */
export interface StoredRecord {
  id: number;
  shard: number;
  partitionKey: string;
  /** The record's bytes, base64. */
  data: string;
  arrival: number;
}

interface StreamRow {
  name: string;
  shard_count: number;
  retention_hours: number;
  on_demand: number;
  created_at: number;
}

interface RecordRow {
  id: number;
  shard: number;
  partition_key: string;
  data: string;
  arrival: number;
}

const streamOf = (row: StreamRow): StoredStream => ({
  name: row.name,
  shardCount: Number(row.shard_count),
  retentionHours: Number(row.retention_hours),
  onDemand: Number(row.on_demand) === 1,
  createdAt: Number(row.created_at),
});

const HOUR_MS = 3_600_000;

export type StreamStore = ReturnType<typeof createStreamStore>;

/** The streams and their records, in SQL. Records older than their stream's retention are never read and are deleted as streams are written to. */
export function createStreamStore(sql: SqlStore) {
  /** When each stream's old records were last deleted (at most once a minute per stream and process). */
  const trimmedAt = new Map<string, number>();
  const oldestKept = (stream: StoredStream, now: number): number => now - stream.retentionHours * HOUR_MS;
  const lastId = async (): Promise<number> => {
    const row = await sql.get<{ id: number | null }>('SELECT MAX(id) AS id FROM kinesis_records');
    return Number(row?.id ?? 0);
  };

  return {
    async get(name: string): Promise<StoredStream | undefined> {
      const row = await sql.get<StreamRow>('SELECT * FROM kinesis_streams WHERE name = ?', [name]);
      return row ? streamOf(row) : undefined;
    },

    /** Creates the stream, or changes its shard count and retention (its records stay). */
    async put(stream: StoredStream): Promise<void> {
      await sql.run(
        `INSERT INTO kinesis_streams (name, shard_count, retention_hours, on_demand, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET shard_count = excluded.shard_count, retention_hours = excluded.retention_hours, on_demand = excluded.on_demand`,
        [stream.name, stream.shardCount, stream.retentionHours, stream.onDemand ? 1 : 0, stream.createdAt],
      );
    },

    /** Streams by name after `after`, at most `limit`. */
    async list(after: string, limit: number): Promise<StoredStream[]> {
      const rows = await sql.all<StreamRow>('SELECT * FROM kinesis_streams WHERE name > ? ORDER BY name LIMIT ?', [after, limit]);
      return rows.map(streamOf);
    },

    /** Deletes the stream and every record it holds. */
    async delete(name: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM kinesis_records WHERE stream = ?', [name]);
        await tx.run('DELETE FROM kinesis_streams WHERE name = ?', [name]);
      });
      trimmedAt.delete(name);
    },

    /** How many records the stream holds within its retention. */
    async count(stream: StoredStream, now: number): Promise<number> {
      const row = await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM kinesis_records WHERE stream = ? AND arrival >= ?', [
        stream.name,
        oldestKept(stream, now),
      ]);
      return Number(row?.n ?? 0);
    },

    /** Appends the records in their order, in one transaction; answers their sequence numbers. */
    async append(stream: StoredStream, records: readonly { shard: number; partitionKey: string; data: string }[], now: number): Promise<number[]> {
      const ids = await sql.transaction(async (tx) => {
        // Appends to one stream take their sequence numbers and commit in one order (PostgreSQL runs them at once
        // otherwise), so a reader past a record never misses an earlier one committed after it.
        await lockAppendOrder(tx, `kinesis:${stream.name}`);
        const out: number[] = [];
        for (const r of records) {
          const row = await tx.get<{ id: number }>(
            'INSERT INTO kinesis_records (stream, shard, partition_key, data, arrival) VALUES (?, ?, ?, ?, ?) RETURNING id',
            [stream.name, r.shard, r.partitionKey, r.data, now],
          );
          out.push(Number(row!.id));
        }
        return out;
      });
      if ((trimmedAt.get(stream.name) ?? 0) < now - 60_000) {
        trimmedAt.set(stream.name, now);
        await sql.run('DELETE FROM kinesis_records WHERE stream = ? AND arrival < ?', [stream.name, oldestKept(stream, now)]);
      }
      return ids;
    },

    /**
     * Records of one shard after sequence number `afterId`, within the retention, at most `limit`, and no more
     * than `maxChars` of base64 data (at least one record): the lengths are read first, so no call loads more.
     */
    async read(stream: StoredStream, shard: number, afterId: number, limit: number, maxChars: number, now: number): Promise<StoredRecord[]> {
      const where = 'stream = ? AND shard = ? AND id > ? AND arrival >= ?';
      const params = [stream.name, shard, afterId, oldestKept(stream, now)];
      const sizes = await sql.all<{ id: number; n: number }>(`SELECT id, LENGTH(data) AS n FROM kinesis_records WHERE ${where} ORDER BY id LIMIT ?`, [
        ...params,
        limit,
      ]);
      let last: number | undefined;
      let chars = 0;
      for (const row of sizes) {
        chars += Number(row.n);
        if (last !== undefined && chars > maxChars) break;
        last = Number(row.id);
      }
      if (last === undefined) return [];
      const rows = await sql.all<RecordRow>(`SELECT id, shard, partition_key, data, arrival FROM kinesis_records WHERE ${where} AND id <= ? ORDER BY id`, [
        ...params,
        last,
      ]);
      return rows.map((r) => ({ id: Number(r.id), shard: Number(r.shard), partitionKey: r.partition_key, data: r.data, arrival: Number(r.arrival) }));
    },

    /**
     * The stream's records after sequence number `afterId`, whatever their shard, oldest first, within the retention,
     * at most `limit` (an event source mapping's reads: the caller keeps those of the first record's shard).
     */
    async readStream(stream: StoredStream, afterId: number, limit: number, now: number): Promise<StoredRecord[]> {
      const rows = await sql.all<RecordRow>(
        'SELECT id, shard, partition_key, data, arrival FROM kinesis_records WHERE stream = ? AND id > ? AND arrival >= ? ORDER BY id LIMIT ?',
        [stream.name, afterId, oldestKept(stream, now), limit],
      );
      return rows.map((r) => ({ id: Number(r.id), shard: Number(r.shard), partitionKey: r.partition_key, data: r.data, arrival: Number(r.arrival) }));
    },

    /** The last sequence number given to any record (0 before the first): LATEST starts after it. */
    lastId,

    /** Whether the shard holds a record after sequence number `afterId`, within the retention. */
    async hasAfter(stream: StoredStream, shard: number, afterId: number, now: number): Promise<boolean> {
      const row = await sql.get<{ id: number }>(
        'SELECT id FROM kinesis_records WHERE stream = ? AND shard = ? AND id > ? AND arrival >= ? ORDER BY id LIMIT 1',
        [stream.name, shard, afterId, oldestKept(stream, now)],
      );
      return row !== undefined;
    },

    /** The sequence number just before the shard's first record that arrived at or after `time` (AT_TIMESTAMP). */
    async beforeTime(stream: StoredStream, shard: number, time: number): Promise<number> {
      const row = await sql.get<{ id: number | null }>('SELECT MIN(id) AS id FROM kinesis_records WHERE stream = ? AND shard = ? AND arrival >= ?', [
        stream.name,
        shard,
        time,
      ]);
      return row?.id === null || row?.id === undefined ? await lastId() : Number(row.id) - 1;
    },
  };
}
