import { createHash, randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unzip, zip as zipAsync, type Unzipped, type Zippable } from 'fflate';
import { CodeUnavailableError, type CodeBlobs } from './code-blobs.js';
import { BadZipError, readZipEntries } from './zip-entries.js';

/** Lambda's limits on a deployment package: 50 MB zipped, 250 MB unzipped. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** Entries of a zip `pack` makes: made on UNIX (mode in the high half of the external attributes), at one time. */
const UNIX_HOST = 3;
const FILE_TYPE = 0o100000;
const DIRECTORY_TYPE = 0o040000;
const PACK_TIME = new Date('2000-01-01T00:00:00Z');

/** Unpacked code, addressed by the sha256 of its zip. */
export interface InstalledCode {
  sha256: string;
  dir: string;
  /** The zip's size (Lambda's CodeSize). */
  size: number;
  /**
   * Lets `collect` remove the folder again once nothing uses it. Until then it is kept even though no stored
   * function or layer names it yet: between the install and the row being written, a concurrent update's
   * collection would otherwise delete the code a function is about to run.
   */
  release(): void;
}

/**
 * Unpacked function and layer code under `<root>/<sha256 of the zip>/`: one folder per distinct zip, shared
 * by every function that uses it, installed atomically (unpacked beside it, then renamed into place), and
 * removed by `collect` once nothing uses it and no install of it is held (see `InstalledCode.release`). The
 * zips themselves are kept in `zips` (the cloud's blob store): an instance of a cluster that did not install a
 * zip unpacks it from there into its own folder when it first runs the code (`ensure`).
 */
export function createCodeStore(root: string, zips: CodeBlobs) {
  const installing = new Map<string, Promise<Omit<InstalledCode, 'release'>>>();
  /** Installs not yet released, by sha256: how many callers hold each. */
  const held = new Map<string, number>();

  const hold = (sha256: string): (() => void) => {
    held.set(sha256, (held.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (held.get(sha256) ?? 1) - 1;
      if (left > 0) held.set(sha256, left);
      else held.delete(sha256);
    };
  };

  async function unpack(zip: Buffer, sha256: string): Promise<Omit<InstalledCode, 'release'>> {
    const dir = join(root, sha256);
    if (await exists(dir)) return { sha256, dir, size: zip.length };
    const entries = readZipEntries(zip);
    const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (total > MAX_UNZIPPED_BYTES) throw new BadZipError(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes (this code unpacks to ${total}).`);
    // fflate's asynchronous unzip inflates in worker threads: a large package does not block the event loop.
    const files = await new Promise<Unzipped>((resolve, reject) =>
      unzip(zip, (error, data) => (error ? reject(new BadZipError(`the zip file cannot be unpacked: ${error.message}`, { cause: error })) : resolve(data))),
    );
    // The sizes checked above are what the zip declares; what inflated is what counts (a zip bomb may lie).
    const inflated = Object.values(files).reduce((sum, body) => sum + body.length, 0);
    if (inflated > MAX_UNZIPPED_BYTES)
      throw new BadZipError(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes (this code unpacks to ${inflated}).`);
    const staging = join(root, `.tmp-${randomUUID()}`);
    try {
      await mkdir(staging, { recursive: true, mode: 0o700 });
      for (const entry of entries) {
        const target = join(staging, ...entry.name.split(/[/\\]/).filter((s) => s !== '' && s !== '.'));
        if (entry.isDirectory) {
          await mkdir(target, { recursive: true });
          continue;
        }
        const body = files[entry.name];
        if (!body) continue;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, body);
        if (entry.unixMode !== undefined && (entry.unixMode & 0o111) !== 0) await chmod(target, 0o755);
      }
      try {
        await rename(staging, dir);
      } catch (error) {
        // Another cloud process sharing the data folder installed the same zip first: its copy is identical.
        if (!(await exists(dir))) throw error;
        await rm(staging, { recursive: true, force: true });
      }
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return { sha256, dir, size: zip.length };
  }

  /** Runs `task` unless one for the same sha256 is under way, whose result it then shares. */
  function once(sha256: string, task: () => Promise<Omit<InstalledCode, 'release'>>): Promise<Omit<InstalledCode, 'release'>> {
    let pending = installing.get(sha256);
    if (!pending) {
      pending = task().finally(() => installing.delete(sha256));
      installing.set(sha256, pending);
    }
    return pending;
  }

  async function zipOf(sha256: string, source: (() => Promise<Buffer | undefined>) | undefined): Promise<Buffer> {
    try {
      return await zips.read(sha256);
    } catch (error) {
      if (!(error instanceof CodeUnavailableError) || !source) throw error;
      const zip = await source();
      if (!zip || createHash('sha256').update(zip).digest('hex') !== sha256) throw error;
      await zips.keep(sha256, zip);
      return zip;
    }
  }

  return {
    root,
    /**
     * Unpacks a zip (once per distinct zip); throws BadZipError for what Lambda would refuse. The folder is
     * held until the caller calls `release()` (after it has recorded the code as used, or given up).
     */
    async install(zip: Buffer): Promise<InstalledCode> {
      if (zip.length > MAX_ZIPPED_BYTES) throw new BadZipError(`Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes (this code is ${zip.length}).`);
      const sha256 = createHash('sha256').update(zip).digest('hex');
      const release = hold(sha256);
      try {
        const unpacked = await once(sha256, () => unpack(zip, sha256));
        // Kept once the zip is known to unpack: the other instances of a cluster unpack it from there.
        await zips.keep(sha256, zip);
        return { ...unpacked, release };
      } catch (error) {
        release();
        throw error;
      }
    },
    /**
     * The folder of the code of this sha256, unpacked first from its kept zip when it is not here (another
     * instance installed it); concurrent callers share one unpacking. Code deployed before zips were kept has
     * none: then `source` (the object it was deployed from) is read, used if it is still that zip, and kept.
     * Throws CodeUnavailableError.
     */
    async ensure(sha256: string, source?: () => Promise<Buffer | undefined>): Promise<string> {
      const dir = join(root, sha256);
      if (!installing.has(sha256) && (await exists(dir))) return dir;
      await once(sha256, async () => unpack(await zipOf(sha256, source), sha256));
      return dir;
    },
    /** Whether the code of this sha256 is unpacked here (in this instance's own folder). */
    has: (sha256: string): Promise<boolean> => exists(join(root, sha256)),
    /**
     * The unpacked folder of this sha256 zipped again (for code whose published zip was never kept): its files
     * and folders, sorted, with their modes and one fixed time, so the same folder makes the same zip. It is
     * not the published zip and has its own sha256. Undefined when the folder is not here.
     */
    async pack(sha256: string): Promise<Buffer | undefined> {
      const dir = join(root, sha256);
      if (installing.has(sha256) || !(await exists(dir))) return undefined;
      const entries: Zippable = {};
      const walk = async (folder: string, prefix: string): Promise<void> => {
        for (const name of (await readdir(folder)).sort()) {
          const path = join(folder, name);
          const info = await lstat(path);
          if (info.isDirectory()) {
            entries[`${prefix}${name}/`] = [new Uint8Array(0), { os: UNIX_HOST, attrs: (DIRECTORY_TYPE | (info.mode & 0o777)) * 0x10000, mtime: PACK_TIME }];
            await walk(path, `${prefix}${name}/`);
          } else if (info.isFile()) {
            entries[`${prefix}${name}`] = [await readFile(path), { os: UNIX_HOST, attrs: (FILE_TYPE | (info.mode & 0o777)) * 0x10000, mtime: PACK_TIME }];
          }
        }
      };
      await walk(dir, '');
      // fflate's asynchronous zip deflates in worker threads, as unzip inflates.
      return new Promise((resolve, reject) => zipAsync(entries, (error, data) => (error ? reject(error) : resolve(Buffer.from(data)))));
    },
    /** Removes every unpacked folder whose sha256 is not in `inUse` (and staging left by a crash). */
    async collect(inUse: ReadonlySet<string>): Promise<string[]> {
      let names: string[];
      try {
        names = await readdir(root);
      } catch {
        return [];
      }
      const removed: string[] = [];
      for (const name of names) {
        if (inUse.has(name) || installing.has(name) || held.has(name)) continue;
        if (name.startsWith('.tmp-') && installing.size > 0) continue; // may be an install under way
        await rm(join(root, name), { recursive: true, force: true });
        removed.push(name);
      }
      return removed;
    },
  };
}

export type CodeStore = ReturnType<typeof createCodeStore>;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
