/** The lambda service's tables (namespace `lambda`). Append new migrations; never edit applied ones. */
export const LAMBDA_MIGRATIONS: readonly string[] = [
  `CREATE TABLE lambda_functions (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL,
    config TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    revision TEXT NOT NULL,
    last_modified TEXT NOT NULL
  );
  CREATE TABLE lambda_layer_versions (
    arn TEXT PRIMARY KEY,
    layer_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    code_sha256 TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    compatible_runtimes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (layer_name, version)
  );
  CREATE TABLE lambda_policies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    properties TEXT NOT NULL
  );
  CREATE TABLE lambda_event_source_mappings (
    uuid TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    properties TEXT NOT NULL
  );
  CREATE TABLE lambda_log_groups (
    name TEXT PRIMARY KEY,
    retention_days INTEGER
  );
  CREATE TABLE lambda_credentials (
    access_key_id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    session_token_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX lambda_credentials_function ON lambda_credentials (function_name, expires_at);
  CREATE TABLE lambda_event_invocations (
    id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    client_context TEXT,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX lambda_event_invocations_due ON lambda_event_invocations (next_attempt_at);
  CREATE TABLE lambda_log_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    log_group TEXT NOT NULL,
    stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    ingested INTEGER NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX lambda_log_events_group ON lambda_log_events (log_group, timestamp);
  CREATE INDEX lambda_log_events_stream ON lambda_log_events (log_group, stream, timestamp);`,
  // Where each event source mapping is in its stream: the sequence number of the last record handled.
  `ALTER TABLE lambda_event_source_mappings ADD COLUMN position TEXT;`,
  // Event invocations that must run in order (an S3 object's notifications): their key and place in it.
  `ALTER TABLE lambda_event_invocations ADD COLUMN ordering_key TEXT;
  ALTER TABLE lambda_event_invocations ADD COLUMN ordering_seq INTEGER;
  CREATE INDEX lambda_event_invocations_order ON lambda_event_invocations (function_name, ordering_key, ordering_seq);`,
  // Functions' log lines keep one index instead of two (every line written updates each): a group's lines by
  // time serve FilterLogEvents from a start time (`forte function logs`, following) and the retention sweep;
  // the stream in the key lets GetLogEvents, DescribeLogStreams and a stream filter pick a stream's lines out of
  // the index without reading the others' rows.
  `CREATE INDEX lambda_log_events_time ON lambda_log_events (log_group, timestamp, stream);
  DROP INDEX IF EXISTS lambda_log_events_group;
  DROP INDEX IF EXISTS lambda_log_events_stream;`,
  // Code zips kept in the blob store (code-blobs.ts), for the instances of a cluster that did not install them;
  // event invocations claimed by the instance running them, until their lease lapses (event-queue.ts).
  `CREATE TABLE lambda_code_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    held_until INTEGER NOT NULL,
    deleting INTEGER NOT NULL
  );
  ALTER TABLE lambda_event_invocations ADD COLUMN owner TEXT;
  ALTER TABLE lambda_event_invocations ADD COLUMN lease_until INTEGER;`,
  // The zip kept in the blob store for a layer version published before zips were kept (legacy-layer-zips.ts):
  // its unpacked folder zipped again by an instance that holds it, named by that zip's own sha256.
  `ALTER TABLE lambda_layer_versions ADD COLUMN kept_sha256 TEXT;`,
];
