import type { ServerResponse } from 'node:http';
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
  /**
   * Writes the blob (or the inclusive byte range) to an HTTP response, without ending it, through a few
   * buffers of the store's own: each is read into again only once the response has written it (its write
   * callback: the bytes are with the kernel). A stream from `get` makes a new buffer for every chunk, memory
   * outside V8's heap that V8 answers with full collections (docs/benchmarks.md, Storage). Only for a
   * response: a stream that passes chunks on (a Transform) calls back before it is done with them.
   * `ready` is called once the blob is found, before the first write (the caller writes its head there);
   * a missing blob throws BlobNotFoundError before it. A blob that turns out shorter than the range
   * destroys the response. Optional: callers of a store without it use `get`.
   */
  send?(id: string, range: { start: number; end: number } | undefined, to: ServerResponse, ready: () => void): Promise<void>;
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

/** What a bus carries: JSON data (objects, arrays, strings, finite numbers, booleans, null). */
export type BusMessage = null | boolean | number | string | BusMessage[] | { [key: string]: BusMessage };

/** Ends a subscription: its handler hears nothing published after the call. */
export type BusUnsubscribe = () => void;

/** A bus subject: dot-separated tokens of letters, digits, `_` and `-` (`appsync.model-changed.v1`); no wildcards. */
export const BUS_SUBJECT = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** The largest message a bus carries, serialised as JSON (NATS's default `max_payload`). */
export const MAX_BUS_MESSAGE_BYTES = 1024 * 1024;

/**
 * Messages between the instances of a cloud that share one database, for what the database cannot tell
 * them: a change to fan out to the realtime subscribers connected elsewhere, a per-process cache to drop.
 * A single instance needs no other process: its bus is in-process (engines/local-bus).
 *
 * Delivery is **at most once**, to every subscription of the subject in every instance, the publisher's own
 * included (a publisher never delivers to its own subscribers by another path): never twice, never to a
 * subscription made after the message was published; lost when the bus is cut off (a NATS server restarting).
 * Handlers never run inside `publish`, always in a later turn of the event loop; the messages of one
 * publisher on one subject arrive in the order they were published. Where a message lost or seen twice
 * would be wrong (an event invoked once, a counter), the database decides, never the bus.
 */
export interface Bus {
  /** Whether messages reach other processes: false for the in-process bus. */
  readonly shared: boolean;
  /**
   * Sends `message` (JSON-serialisable, at most MAX_BUS_MESSAGE_BYTES as JSON) to the subject's
   * subscribers. Throws for a subject not of BUS_SUBJECT, a message that is not JSON data or too large, or a
   * closed bus; it never waits for a subscriber.
   */
  publish(subject: string, message: BusMessage): void;
  /**
   * Calls `handler` with each message published on `subject` (exactly that subject), as a copy of what was
   * published (a handler may keep or change it; every handler gets its own). Resolves once the subscription
   * is in effect everywhere: a message published after that, in any instance, reaches it. A handler that
   * throws is reported to the bus's error sink; the others still run.
   */
  subscribe(subject: string, handler: (message: BusMessage) => void): Promise<BusUnsubscribe>;
  /**
   * Calls `listener` each time the bus comes back after being cut off from the other instances: what was
   * published meanwhile is lost, so a cache that the bus keeps fresh drops everything it holds.
   */
  onResume(listener: () => void): BusUnsubscribe;
  /** Delivers what was already received, then stops; publishing after it throws. */
  close(): Promise<void>;
}

/**
 * The checks every bus makes before it sends: the subject's form and the message's size as JSON. Answers the
 * message's JSON text.
 */
export function busMessageText(subject: string, message: BusMessage): string {
  if (!BUS_SUBJECT.test(subject)) throw new Error(`bus subject ${JSON.stringify(subject)} is not dot-separated tokens of letters, digits, _ and -`);
  const text = JSON.stringify(message) as string | undefined;
  if (text === undefined) throw new Error(`bus message on ${subject} is not JSON data`);
  if (Buffer.byteLength(text) > MAX_BUS_MESSAGE_BYTES) throw new Error(`bus message on ${subject} is larger than ${MAX_BUS_MESSAGE_BYTES} bytes as JSON`);
  return text;
}
