import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobStore } from '../types.js';

const BLOB_ID = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

/** BlobStore in a local folder. Ids are checked so that no id can name a path outside the folder. */
export function createFsBlobStore(root: string): BlobStore {
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
      try {
        await stat(path);
      } catch {
        throw new BlobNotFoundError(`no blob ${id}`);
      }
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },
    async stat(id) {
      try {
        const s = await stat(pathOf(id));
        return { size: s.size };
      } catch {
        return undefined;
      }
    },
    async delete(id) {
      await rm(pathOf(id), { force: true });
    },
    async copy(fromId, toId) {
      const to = pathOf(toId);
      await mkdir(dirname(to), { recursive: true });
      try {
        await copyFile(pathOf(fromId), to);
      } catch {
        throw new BlobNotFoundError(`no blob ${fromId}`);
      }
    },
  };
}
