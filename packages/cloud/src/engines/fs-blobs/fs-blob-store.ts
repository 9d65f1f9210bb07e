import { close, createReadStream, createWriteStream, fstat, open, read, rmSync, writeFile, type Stats } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasherOf, processHashPool, type HashPool } from '../stream-hasher.js';
import { BlobNotFoundError, type BlobDigest, type BlobStore, type BlobWritten } from '../types.js';

const BLOB_ID = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
const ALL_DIGESTS: readonly BlobDigest[] = ['md5', 'sha256'];
/**
 * The largest read of a blob's stream. A blob (or range) smaller than this is read in one read of its own
 * size, which also tells the stream it has ended (the default 64 KiB reads take a second read to find the end
 * of a small file); larger ones take fewer trips to the thread pool than 64 KiB at a time.
 */
const MAX_READ_CHUNK = 512 * 1024;
/** Folders the store remembers having made; past this many it forgets them and makes them again on demand. */
const MAX_KNOWN_FOLDERS = 4096;

/**
 * BlobStore in a local folder. Ids are checked so that no id can name a path outside the folder; writes
 * go to a temp file first and are renamed into place, so a reader never sees a partial blob. A streamed
 * body's digests are computed on the process's hashing threads (`hashPool`, see stream-hasher.ts) while it
 * is written; a body given whole is hashed at once.
 */
export function createFsBlobStore(root: string, options: { hashPool?: HashPool } = {}): BlobStore {
  const hashPool = options.hashPool ?? processHashPool();
  const temps = join(root, '.tmp');
  // Temp files of writes a crash interrupted; nothing refers to them (this store has one process).
  rmSync(temps, { recursive: true, force: true });
  const pathOf = (id: string): string => {
    if (!BLOB_ID.test(id) || id.length > 512) throw new Error(`invalid blob id: ${JSON.stringify(id)}`);
    return join(root, id);
  };
  // Blob folders are made once, not with a mkdir on every write (nothing here removes a folder).
  const folders = new Set<string>();
  const ensureFolder = async (folder: string): Promise<void> => {
    if (folders.has(folder)) return;
    await mkdir(folder, { recursive: true });
    if (folders.size >= MAX_KNOWN_FOLDERS) folders.clear();
    folders.add(folder);
  };
  let written = 0;
  // Unique within the process, and the folder is emptied at every start.
  const tempPath = async (): Promise<string> => {
    await ensureFolder(temps);
    return join(temps, `${process.pid}-${(++written).toString(36)}`);
  };
  /** Renames a finished temp file into place; a folder removed from outside since it was made is made again. */
  const moveInto = async (temp: string, target: string): Promise<void> => {
    const folder = dirname(target);
    await ensureFolder(folder);
    try {
      await rename(temp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      folders.delete(folder);
      await ensureFolder(folder);
      await rename(temp, target);
    }
  };
  return {
    async put<D extends BlobDigest = BlobDigest>(id: string, body: Readable | Buffer, options?: { digests: readonly D[] }): Promise<BlobWritten<D>> {
      const target = pathOf(id);
      const digests = options?.digests ?? ALL_DIGESTS;
      const temp = await tempPath();
      const hasher = hasherOf(hashPool, body, digests);
      let size = 0;
      try {
        if (Buffer.isBuffer(body)) {
          size = body.length;
          await writeBuffer(temp, body);
        } else {
          const file = createWriteStream(temp);
          if (digests.length === 0) await pipeline(body, file);
          else {
            const hashing = new Transform({
              transform(chunk: Buffer, _encoding, done) {
                const wait = hasher.update(chunk);
                if (wait) wait.then(() => done(null, chunk), done);
                else done(null, chunk);
              },
            });
            await pipeline(body, hashing, file);
          }
          size = file.bytesWritten;
        }
        const result: Record<string, string | number> = { size, ...(await hasher.digest()) };
        await moveInto(temp, target);
        return result as BlobWritten<D>;
      } catch (error) {
        hasher.abort();
        // A temp folder removed from outside is made again by the next write.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') folders.delete(temps);
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(id, range) {
      const path = pathOf(id);
      // A folder is not a blob: ids share folders (`s3/…`), and `s3` itself names one.
      const found = await stat(path).catch(() => undefined);
      if (!found?.isFile()) throw new BlobNotFoundError(`no blob ${id}`);
      const start = range?.start ?? 0;
      const end = range?.end ?? found.size - 1;
      if (end < start) return Readable.from([]);
      return createReadStream(path, { start, end, highWaterMark: Math.min(end - start + 1, MAX_READ_CHUNK) });
    },
    async read(id, range) {
      const fd = await openBlob(id, pathOf(id));
      try {
        const start = range?.start ?? 0;
        let end = range?.end;
        if (end === undefined) {
          const found = await fstatOf(fd);
          if (!found.isFile()) throw blobNotFound(id);
          end = found.size - 1;
        }
        const bytes = Buffer.allocUnsafe(Math.max(end - start + 1, 0));
        let filled = 0;
        while (filled < bytes.length) {
          const n = await readInto(fd, bytes, filled, start + filled);
          if (n === 0) break; // the blob is shorter than the range
          filled += n;
        }
        return filled === bytes.length ? bytes : bytes.subarray(0, filled);
      } catch (error) {
        // A folder opens, but does not read.
        throw (error as NodeJS.ErrnoException).code === 'EISDIR' ? blobNotFound(id, error) : error;
      } finally {
        close(fd, () => {});
      }
    },
    async send(id, range, to, ready) {
      const fd = await openBlob(id, pathOf(id));
      try {
        const found = await fstatOf(fd);
        if (!found.isFile()) throw blobNotFound(id);
        ready();
        await sendRange(fd, range?.start ?? 0, range?.end ?? found.size - 1, to);
      } finally {
        close(fd, () => {});
      }
    },
    async stat(id) {
      const path = pathOf(id);
      const found = await stat(path).catch(() => undefined);
      return found?.isFile() ? { size: found.size } : undefined;
    },
    async delete(id) {
      try {
        await unlink(pathOf(id));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      }
    },
    async copy(fromId, toId) {
      const from = pathOf(fromId);
      const to = pathOf(toId);
      const temp = await tempPath();
      try {
        await copyFile(from, temp);
      } catch (error) {
        await rm(temp, { force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR') throw new BlobNotFoundError(`no blob ${fromId}`);
        throw error;
      }
      try {
        await moveInto(temp, to);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}

// Callback forms of the calls on the hot paths: the promise API's writeFile and FileHandle reads allocate a
// FileHandle (closed through a promise) per file, which costs more than the small write or read itself.

function writeBuffer(path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => writeFile(path, data, (error) => (error ? reject(error) : resolve())));
}

function blobNotFound(id: string, cause?: unknown): BlobNotFoundError {
  return Object.assign(new BlobNotFoundError(`no blob ${id}`), { cause });
}

/** The blob's file opened for reading; BlobNotFoundError when there is none (a folder opens: its reads fail). */
function openBlob(id: string, path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, 'r', (error, fd) => {
      if (!error) return resolve(fd);
      reject(error.code === 'ENOENT' || error.code === 'ENOTDIR' ? blobNotFound(id, error) : error);
    }),
  );
}

function fstatOf(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/** Buffers of one `send`: one being written while the next is read, as a stream with its response would hold. */
const SEND_BUFFERS = 2;

/**
 * Writes bytes `start` to `end` (inclusive) of the file to `to`, reading into at most SEND_BUFFERS buffers, each
 * reused once `to` has called back for its write. Returns early when `to` is destroyed (the client went away);
 * destroys it when the file ends before `end`.
 */
async function sendRange(fd: number, start: number, end: number, to: ServerResponse): Promise<void> {
  if (end < start) return;
  const size = Math.min(MAX_READ_CHUNK, end - start + 1);
  const free: Buffer[] = [];
  let made = 0;
  let waiting: (() => void) | undefined;
  const wake = (): void => {
    const resume = waiting;
    waiting = undefined;
    resume?.();
  };
  // A destroyed response may never call back for what it held: its close wakes the wait too.
  to.once('close', wake);
  try {
    for (let position = start; position <= end;) {
      let buffer = free.pop();
      if (!buffer && made < SEND_BUFFERS) {
        made += 1;
        buffer = Buffer.allocUnsafeSlow(size);
      }
      while (!buffer && !to.destroyed) {
        await new Promise<void>((resolve) => (waiting = resolve));
        buffer = free.pop();
      }
      if (!buffer || to.destroyed) return;
      const n = await readInto(fd, buffer.subarray(0, Math.min(size, end - position + 1)), 0, position);
      if (to.destroyed) return;
      if (n === 0) return void to.destroy(new Error(`the blob ends at byte ${position}, before the ${end + 1} it was to send`));
      position += n;
      const written = buffer;
      to.write(n === buffer.length ? buffer : buffer.subarray(0, n), () => {
        free.push(written);
        wake();
      });
    }
  } finally {
    to.off('close', wake);
  }
}

/** Reads into `bytes` from `offset` to its end, at `position` in the file; answers the bytes read. */
function readInto(fd: number, bytes: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, bytes, offset, bytes.length - offset, position, (error, n) => (error ? reject(error) : resolve(n))));
}
