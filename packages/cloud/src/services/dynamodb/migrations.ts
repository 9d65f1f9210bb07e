/**
 * The table service's tables (namespace `dynamodb`). Append new migrations; never edit applied ones.
 * Keys are order-preserving byte encodings (key-codec.ts), so SQL orders rows as DynamoDB orders items;
 * on PostgreSQL the BLOB columns are BYTEA, which also compares bytewise.
 */
export const DYNAMODB_MIGRATIONS: readonly string[] = [
  `CREATE TABLE dynamodb_tables (
    table_name TEXT PRIMARY KEY,
    table_id TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL
  );
  CREATE TABLE dynamodb_items (
    table_id TEXT NOT NULL,
    pk BLOB NOT NULL,
    sk BLOB NOT NULL,
    item TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (table_id, pk, sk)
  );
  CREATE TABLE dynamodb_index_entries (
    table_id TEXT NOT NULL,
    index_name TEXT NOT NULL,
    gpk BLOB NOT NULL,
    gsk BLOB NOT NULL,
    pk BLOB NOT NULL,
    sk BLOB NOT NULL,
    PRIMARY KEY (table_id, index_name, gpk, gsk, pk, sk)
  );
  CREATE INDEX dynamodb_index_entries_item ON dynamodb_index_entries (table_id, pk, sk);`,
  // Streams: one row per stream a table has had (disabled ones kept while their records are), and the records,
  // positioned by `sequence` (the SequenceNumber, less 10^20).
  `CREATE TABLE dynamodb_streams (
    stream_arn TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    label TEXT NOT NULL,
    view_type TEXT NOT NULL,
    key_schema TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE TABLE dynamodb_stream_records (
    stream_arn TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (stream_arn, sequence)
  );
  CREATE INDEX dynamodb_stream_records_age ON dynamodb_stream_records (created_at);`,
];
