/** The events service's tables (namespace `events`). Append new migrations; never edit applied ones. */
export const EVENTS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE events_rules (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL,
    schedule_expression TEXT NOT NULL,
    state TEXT NOT NULL,
    targets TEXT NOT NULL,
    anchor_at INTEGER NOT NULL,
    next_fire_at INTEGER
  );
  CREATE INDEX events_rules_due ON events_rules (next_fire_at);`,
];
