/** Kinesis Data Streams' tables (namespace `kinesis`). Append new migrations; never edit applied ones. */
export const KINESIS_MIGRATIONS: readonly string[] = [
  // A record's id is its sequence number (one counter for every stream: increasing within each shard, as Kinesis's);
  // `data` is the record's bytes in base64, so that both engines keep them as text.
  `CREATE TABLE kinesis_streams (
    name TEXT PRIMARY KEY,
    shard_count INTEGER NOT NULL,
    retention_hours INTEGER NOT NULL,
    on_demand INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE kinesis_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    shard INTEGER NOT NULL,
    partition_key TEXT NOT NULL,
    data TEXT NOT NULL,
    arrival INTEGER NOT NULL
  );
  CREATE INDEX kinesis_records_shard ON kinesis_records (stream, shard, id);
  CREATE INDEX kinesis_records_arrival ON kinesis_records (stream, arrival);`,
  // An event source mapping reads a stream in sequence-number order, whatever the shard.
  `CREATE INDEX kinesis_records_stream ON kinesis_records (stream, id);`,
];
