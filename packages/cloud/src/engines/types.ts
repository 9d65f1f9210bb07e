import type { Readable } from 'node:stream';
import { FORTE_ERROR } from '@forte/protocol';

/**
 * The relational store every service keeps its state in. Async so PostgreSQL fits. SQL is written once
 * with `?` placeholders and portable types (TEXT, INTEGER, REAL; JSON kept as TEXT).
 */
export interface SqlStore {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
  /**
   * Runs `fn` in one transaction; other callers wait until it ends. Rolls back when `fn` throws. Inside
   * `fn`, use `tx` only: a call on the outer store would wait for this very transaction to end.
   * `tx.transaction` joins the open transaction.
   */
  transaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T>;
  /**
   * A number that changes whenever the data may have changed: after every statement that writes and at
   * the end of every transaction (commit or rollback). A row read while it had some value is still what
   * the database holds for as long as it keeps that value, so a reader that took the number before
   * reading may keep the row until then. Only an engine that sees every write to its data offers it (the
   * SQLite engine: its database belongs to one cloud process); without it, callers read on every call.
   */
  readonly dataVersion?: () => number;
  /** Applies each not-yet-applied migration of `namespace` in order, once, in a transaction. */
  migrate(namespace: string, migrations: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A digest the blob store can compute while it writes a body. */
export type BlobDigest = 'md5' | 'sha256';

/** What `BlobStore.put` wrote: the size, and the hex digest of each algorithm asked for. */
export type BlobWritten<D extends BlobDigest = BlobDigest> = { size: number } & { [K in D]: string };

/** Opaque blob ids are chosen by services: `[a-z0-9][a-z0-9/_-]*` (never derived from user paths). */
export interface BlobStore {
  /**
   * Streams `body` into the blob; returns its size and the hex digests named in `digests` (md5 and sha256
   * unless fewer are named: each costs CPU on every byte, so callers name only those they use). Replaces
   * atomically.
   */
  put<D extends BlobDigest = BlobDigest>(id: string, body: Readable | Buffer, options?: { digests: readonly D[] }): Promise<BlobWritten<D>>;
  /** A stream of the blob (or the inclusive byte range). Throws BlobNotFoundError. */
  get(id: string, range?: { start: number; end: number }): Promise<Readable>;
  /**
   * The blob's bytes (or the inclusive byte range, shorter if the blob ends first) in memory, for blobs the
   * caller knows to be small: no stream to set up for a few kilobytes. Large ones are for `get`, which holds
   * only a chunk at a time. Throws BlobNotFoundError.
   */
  read(id: string, range?: { start: number; end: number }): Promise<Buffer>;
  stat(id: string): Promise<{ size: number } | undefined>;
  delete(id: string): Promise<void>;
  copy(fromId: string, toId: string): Promise<void>;
}

/**
 * A blob that does not exist. Services recognise it with `isBlobNotFound`, not `instanceof`: a blob store
 * of another package throws the class of its own copy of `@forte/cloud`.
 */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  readonly [FORTE_ERROR] = 'blob-not-found' as const;
}

/** Whether `value` is a BlobNotFoundError, whichever copy of this package made it. */
export function isBlobNotFound(value: unknown): value is BlobNotFoundError {
  return typeof value === 'object' && value !== null && (value as { [FORTE_ERROR]?: unknown })[FORTE_ERROR] === 'blob-not-found';
}
