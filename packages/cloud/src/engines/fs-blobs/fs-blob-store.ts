import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobStore } from '../types.js';

const BLOB_ID = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

/**
 * BlobStore in a local folder. Ids are checked so that no id can name a path outside the folder; writes
 * go to a temp file first and are renamed into place, so a reader never sees a partial blob.
 */
export function createFsBlobStore(root: string): BlobStore {
  // Temp files of writes a crash interrupted; nothing refers to them (this store has one process).
  rmSync(join(root, '.tmp'), { recursive: true, force: true });
  const pathOf = (id: string): string => {
    if (!BLOB_ID.test(id) || id.length > 512) throw new Error(`invalid blob id: ${JSON.stringify(id)}`);
    return join(root, id);
  };
  return {
    async put(id, body) {
      const target = pathOf(id);
      await mkdir(dirname(target), { recursive: true });
      const temp = join(root, '.tmp', randomBytes(12).toString('hex'));
      await mkdir(dirname(temp), { recursive: true });
      const md5 = createHash('md5');
      const sha256 = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          md5.update(chunk);
          sha256.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, meter, createWriteStream(temp));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { size, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
    },
    async get(id, range) {
      const path = pathOf(id);
      // A folder is not a blob: ids share folders (`s3/…`), and `s3` itself names one.
      const found = await stat(path).catch(() => undefined);
      if (!found?.isFile()) throw new BlobNotFoundError(`no blob ${id}`);
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },
    async stat(id) {
      const path = pathOf(id);
      const found = await stat(path).catch(() => undefined);
      return found?.isFile() ? { size: found.size } : undefined;
    },
    async delete(id) {
      await rm(pathOf(id), { force: true });
    },
    async copy(fromId, toId) {
      const from = pathOf(fromId);
      const to = pathOf(toId);
      await mkdir(dirname(to), { recursive: true });
      const temp = join(root, '.tmp', randomBytes(12).toString('hex'));
      await mkdir(dirname(temp), { recursive: true });
      try {
        await copyFile(from, temp);
      } catch (error) {
        await rm(temp, { force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR') throw new BlobNotFoundError(`no blob ${fromId}`);
        throw error;
      }
      await rename(temp, to);
    },
  };
}
