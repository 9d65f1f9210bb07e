import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { evalWorker } from './eval-worker.js';
import type { BlobDigest } from './types.js';

/**
 * Digests of a body that arrives in chunks (a blob being written). On a machine with a core to spare, a large
 * body's digests are computed on threads of their own while the main thread goes on receiving and writing it:
 * MD5 (every object's ETag) costs about as much CPU per byte as receiving a body and writing it to a file, and
 * one body's MD5 cannot be split, so on one thread a large upload runs at about half the speed it could.
 *
 * Chunks are copied into buffers of SLOT_BYTES, and each full one is moved (transferred, not copied) to a
 * hashing thread, which moves it back once hashed; a body holds at most SLOTS_PER_BODY of them at a time, and
 * `update` answers a promise when it must wait for one of its own to come back (the caller stops reading until
 * then: the upload's back-pressure). A body never waits for another's buffers, so a slow upload cannot hold up
 * the rest; beyond MAX_THREADED_BODIES at once, bodies are hashed on the main thread (which bounds the buffers at
 * MAX_THREADED_BODIES × SLOTS_PER_BODY). The buffers are not shared memory: V8 copies into a SharedArrayBuffer
 * with relaxed atomic moves, several times slower than the memcpy into a plain one.
 */
export interface StreamHasher {
  /**
   * Adds a chunk (copied, or hashed at once). A promise means: wait for it before the next chunk; it rejects when
   * the body can no longer be hashed (its thread stopped, or it was dropped). Never throws.
   */
  update(chunk: Buffer): void | Promise<void>;
  /** The hex digests of everything given to `update`. */
  digest(): Promise<Record<BlobDigest, string>>;
  /** Drops the body's state (a failed write); nothing is computed any more. */
  abort(): void;
}

export interface HashPool {
  /** A hasher of the named digests: on a hashing thread when the pool has any, else on this thread. */
  hasher(digests: readonly BlobDigest[]): StreamHasher;
  /** Hashing threads running, bodies being hashed on them, and buffers kept for the next bodies. */
  stats(): { threads: number; threadedBodies: number; idleBuffers: number };
  /** Stops the hashing threads (hashers still running are refused with an error). */
  close(): Promise<void>;
}

const SLOT_BYTES = 1024 * 1024;
const SLOTS_PER_BODY = 3;
const MAX_THREADED_BODIES = 8;
/** Buffers kept for the next bodies once none is being hashed. */
const IDLE_SLOTS = 4;
/** A thread with no body for this long stops (a thread holds some 11 MB); the next body starts one again. */
const IDLE_THREAD_MS = 30_000;
/** Hashing threads a pool starts at most, whatever the machine. */
const MAX_THREADS = 4;

/** Hashes on this thread, chunk by chunk: for small bodies and one-core machines. */
export function inlineHasher(digests: readonly BlobDigest[]): StreamHasher {
  const hashes: Array<[BlobDigest, Hash]> = digests.map((digest) => [digest, createHash(digest)]);
  return {
    update(chunk) {
      for (const [, hash] of hashes) hash.update(chunk);
    },
    async digest() {
      const result = {} as Record<BlobDigest, string>;
      for (const [digest, hash] of hashes) result[digest] = hash.digest('hex');
      return result;
    },
    abort() {},
  };
}

/**
 * The hasher of a body about to be written: a body given whole is hashed at once on this thread (it is in memory
 * already; nothing to overlap), a stream by `pool` while it is read.
 */
export function hasherOf(pool: HashPool, body: Buffer | Readable, digests: readonly BlobDigest[]): StreamHasher {
  if (!Buffer.isBuffer(body)) return pool.hasher(digests);
  const hasher = inlineHasher(digests);
  void hasher.update(body); // inline: never waits
  return hasher;
}

/** What a hashing thread runs: a map of bodies to their hashes, fed in order from the main thread. */
const HASHING_THREAD = `const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const bodies = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'start') bodies.set(m.id, m.digests.map((d) => [d, createHash(d)]));
  else if (m.op === 'update') {
    const view = new Uint8Array(m.slot, 0, m.length);
    for (const [, hash] of bodies.get(m.id) ?? []) hash.update(view);
    parentPort.postMessage({ op: 'free', id: m.id, slot: m.slot }, [m.slot]);
  } else if (m.op === 'digest') {
    const result = {};
    for (const [d, hash] of bodies.get(m.id) ?? []) result[d] = hash.digest('hex');
    bodies.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, result });
  } else if (m.op === 'abort') bodies.delete(m.id);
});`;

interface Body {
  /** Called when one of the body's buffers comes back (its waiting `update`), or its thread stopped. */
  onSlot?: () => void;
  inFlight: number;
  done?: { resolve(result: Record<BlobDigest, string>): void; reject(error: Error): void };
  failed?: Error;
}

interface Thread {
  worker: Worker;
  bodies: Map<number, Body>;
  idle?: NodeJS.Timeout;
  /**
   * Being terminated: `terminate()` keeps the process alive until the thread's exit is heard, and nothing may undo
   * that (a dropped body's last buffer coming back meanwhile would unref it, and a process with nothing else to do
   * would end with the close never answered).
   */
  stopping?: boolean;
}

/**
 * A pool of `threads` hashing threads (default: one fewer than the cores this process may use, at most
 * MAX_THREADS; none on a one-core machine or a process pinned to one core, where `hasher` hashes inline).
 * Threads start on first use, do not keep the process alive when no body is being hashed, and stop after
 * `idleMs` (IDLE_THREAD_MS) without one.
 */
export function createHashPool(options: { threads?: number; idleMs?: number } = {}): HashPool {
  const threads: Thread[] = [];
  const free: ArrayBuffer[] = [];
  let nextId = 0;
  let closed = false;

  const release = (slot: ArrayBuffer): void => void free.push(slot);
  const takeSlot = (): ArrayBuffer => free.pop() ?? new ArrayBuffer(SLOT_BYTES);
  const busy = (): number => threads.reduce((sum, thread) => sum + thread.bodies.size, 0);
  /**
   * After a thread's last body: it no longer keeps the process alive, and stops unless a body comes within
   * idleMs; once no body is being hashed, the pool keeps IDLE_SLOTS of its buffers for the next.
   */
  const settle = (thread: Thread): void => {
    if (thread.bodies.size > 0 || thread.stopping) return;
    thread.worker.unref();
    if (busy() === 0) free.length = Math.min(free.length, IDLE_SLOTS);
    clearTimeout(thread.idle);
    thread.idle = setTimeout(() => {
      if (thread.bodies.size > 0) return;
      // Out of the pool first, so that no body is given to a thread that is stopping.
      const at = threads.indexOf(thread);
      if (at >= 0) threads.splice(at, 1);
      thread.stopping = true;
      void thread.worker.terminate();
    }, options.idleMs ?? IDLE_THREAD_MS);
    thread.idle.unref();
  };

  const stopped = (thread: Thread, error: Error): void => {
    const at = threads.indexOf(thread);
    if (at >= 0) threads.splice(at, 1);
    for (const body of thread.bodies.values()) {
      body.failed ??= error;
      body.done?.reject(body.failed);
      body.onSlot?.();
    }
    // The buffers it held are not coming back from it; new ones are made as needed.
    thread.bodies.clear();
  };

  const startThread = (): Thread => {
    const worker = evalWorker(HASHING_THREAD, { name: 'forte-hash' });
    const thread: Thread = { worker, bodies: new Map() };
    worker.unref();
    worker.on('message', (m: { op: 'free'; id: number; slot: ArrayBuffer } | { op: 'digest'; id: number; result: Record<BlobDigest, string> }) => {
      const body = thread.bodies.get(m.id);
      if (m.op === 'free') {
        if (body) body.inFlight--;
        release(m.slot);
        body?.onSlot?.();
      } else if (body) {
        thread.bodies.delete(m.id);
        settle(thread);
        body.done?.resolve(m.result);
      }
    });
    worker.on('error', (error) => stopped(thread, new Error(`A hashing thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => stopped(thread, new Error(`A hashing thread stopped (exit code ${code}).`)));
    threads.push(thread);
    return thread;
  };

  /**
   * The thread with the fewest bodies, a new one while there are fewer than the limit. The cores this process may
   * use are asked each time (a process can be moved to other cores while it runs).
   */
  const threadFor = (): Thread | undefined => {
    const limit = options.threads ?? Math.min(MAX_THREADS, availableParallelism() - 1);
    if (closed || limit < 1 || busy() >= MAX_THREADED_BODIES) return undefined;
    const least = threads.reduce<Thread | undefined>((a, t) => (a === undefined || t.bodies.size < a.bodies.size ? t : a), undefined);
    return least !== undefined && (least.bodies.size === 0 || threads.length >= limit) ? least : startThread();
  };

  return {
    hasher(digests) {
      const thread = digests.length === 0 ? undefined : threadFor();
      if (!thread) return inlineHasher(digests);
      const id = ++nextId;
      const body: Body = { inFlight: 0 };
      clearTimeout(thread.idle);
      thread.bodies.set(id, body);
      thread.worker.ref();
      thread.worker.postMessage({ op: 'start', id, digests });
      let slot: ArrayBuffer | undefined;
      let filled = 0;
      const send = (): void => {
        // The buffer moves to the thread (no copy) and comes back with 'free'.
        thread.worker.postMessage({ op: 'update', id, slot, length: filled }, [slot!]);
        body.inFlight++;
        slot = undefined;
        filled = 0;
      };
      /** Resolves once the body has a buffer to fill: at once, or when one of its own comes back. */
      const slotReady = (): void | Promise<void> => {
        if (body.failed) return Promise.reject(body.failed);
        if (slot) return;
        if (body.inFlight < SLOTS_PER_BODY) {
          slot = takeSlot();
          return;
        }
        return new Promise<void>((resolve) => {
          body.onSlot = () => {
            body.onSlot = undefined;
            resolve();
          };
        }).then(slotReady);
      };
      const copy = (chunk: Buffer): void | Promise<void> => {
        const ready = slotReady();
        if (ready) return ready.then(() => copy(chunk));
        const taken = Math.min(chunk.length, SLOT_BYTES - filled);
        chunk.copy(new Uint8Array(slot!), filled, 0, taken);
        filled += taken;
        if (filled === SLOT_BYTES) send();
        if (taken < chunk.length) return copy(chunk.subarray(taken));
      };
      return {
        update: copy,
        digest() {
          if (body.failed) return Promise.reject(body.failed);
          if (slot && filled > 0) send();
          else if (slot) {
            release(slot);
            slot = undefined;
          }
          return new Promise((resolve, reject) => {
            body.done = { resolve, reject };
            thread.worker.postMessage({ op: 'digest', id });
          });
        },
        abort() {
          if (!thread.bodies.has(id)) return;
          body.failed ??= new Error('The body was dropped before its digests were computed.');
          if (slot) {
            release(slot);
            slot = undefined;
          }
          thread.worker.postMessage({ op: 'abort', id });
          // A copy waiting for a buffer wakes now and finds the body failed: replaced unwoken below, it would wait
          // forever, on a thread that no longer keeps the process alive once the body is forgotten.
          body.onSlot?.();
          // Its slots in flight come back as the thread frees them; the body itself is forgotten once they have.
          body.onSlot = () => {
            if (body.inFlight === 0) {
              thread.bodies.delete(id);
              settle(thread);
            }
          };
          body.onSlot();
        },
      };
    },
    stats: () => ({ threads: threads.length, threadedBodies: busy(), idleBuffers: free.length }),
    async close() {
      closed = true;
      for (const thread of threads) {
        clearTimeout(thread.idle);
        thread.stopping = true;
      }
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}

let processPool: HashPool | undefined;

/** The process's own pool, shared by its blob stores (started on first use). */
export function processHashPool(): HashPool {
  return (processPool ??= createHashPool());
}
