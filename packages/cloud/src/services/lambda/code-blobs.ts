import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isBlobNotFound, type BlobStore, type SqlStore } from '../../engines/types.js';

/**
 * How long a zip just kept is safe from `collect` although no function or layer names it yet: the time a
 * deployment may take between keeping the zip and writing its row (the runtime may download a Node release).
 */
export const CODE_HOLD_MS = 3600 * 1000;
/** How long an instance that is deleting a zip holds it against the others (a dead one's hold lapses). */
const DELETE_HOLD_MS = 60 * 1000;
/** How long `keep` waits for another instance's deletion of the same zip to end. */
const KEEP_WAIT_MS = 10 * 1000;

/** Not a function's code: its zip is in no blob, or the blob is not the zip its sha256 names. */
export class CodeUnavailableError extends Error {
  override readonly name = 'CodeUnavailableError';
}

const blobIdOf = (sha256: string): string => `lambda/code/${sha256}`;
const UNUSED = `NOT EXISTS (SELECT 1 FROM lambda_functions f WHERE f.code_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM lambda_layer_versions l WHERE l.code_sha256 = b.sha256 OR l.kept_sha256 = b.sha256)`;

/**
 * The zips of functions and layers in the cloud's blob store (`lambda/code/<sha256>`), which every instance of a
 * cluster shares, so an instance that did not receive a deployment can unpack the code itself. Which zips are
 * kept is in `lambda_code_blobs`, and the database decides when one goes: only once no function or layer
 * version names it and no instance holds it (a deployment under way, `CODE_HOLD_MS`, or a deletion).
 */
export function createCodeBlobs(options: { sql: SqlStore; blobs: BlobStore; now?: () => number }) {
  const { sql, blobs } = options;
  const now = options.now ?? Date.now;

  return {
    /** Stores the zip (once per sha256) and holds it for `CODE_HOLD_MS`, until its function's row names it. */
    async keep(sha256: string, zip: Buffer): Promise<void> {
      for (const started = now(); ;) {
        const t = now();
        // Matches unless another instance is deleting this zip right now (its hold has not lapsed).
        const held = await sql.run(
          `INSERT INTO lambda_code_blobs (sha256, size, held_until, deleting) VALUES (?, ?, ?, 0)
           ON CONFLICT (sha256) DO UPDATE SET held_until = excluded.held_until, deleting = 0
           WHERE lambda_code_blobs.deleting = 0 OR lambda_code_blobs.held_until < ?`,
          [sha256, zip.length, t + CODE_HOLD_MS, t],
        );
        if (held.changes === 1) break;
        if (t - started > KEEP_WAIT_MS) throw new Error(`the code ${sha256} is being deleted by another instance: deploy it again`);
        await sleep(50);
      }
      if (!(await blobs.stat(blobIdOf(sha256)))) await blobs.put(blobIdOf(sha256), zip, { digests: [] });
    },
    /** The zip whose sha256 is `sha256`; throws CodeUnavailableError when no blob holds it. */
    async read(sha256: string): Promise<Buffer> {
      let zip: Buffer;
      try {
        zip = await blobs.read(blobIdOf(sha256));
      } catch (error) {
        if (isBlobNotFound(error)) throw new CodeUnavailableError(`the code zip ${sha256} is not in the blob store`, { cause: error });
        throw error;
      }
      if (createHash('sha256').update(zip).digest('hex') !== sha256) throw new CodeUnavailableError(`the blob of the code zip ${sha256} holds another zip`);
      return zip;
    },
    /**
     * Deletes the zips no function or layer version names and nobody holds; answers how many. Each is claimed
     * first (one instance deletes it), and a deployment that keeps it meanwhile waits, then stores it again.
     */
    async collect(): Promise<number> {
      const t = now();
      const unused = await sql.all<{ sha256: string }>(`SELECT sha256 FROM lambda_code_blobs b WHERE held_until < ? AND ${UNUSED}`, [t]);
      let removed = 0;
      for (const { sha256 } of unused) {
        const claimed = await sql.run(
          `UPDATE lambda_code_blobs SET deleting = 1, held_until = ? WHERE sha256 = ? AND held_until < ? AND sha256 IN (SELECT b.sha256 FROM lambda_code_blobs b WHERE b.sha256 = ? AND ${UNUSED})`,
          [now() + DELETE_HOLD_MS, sha256, t, sha256],
        );
        if (claimed.changes !== 1) continue;
        await blobs.delete(blobIdOf(sha256));
        await sql.run('DELETE FROM lambda_code_blobs WHERE sha256 = ? AND deleting = 1', [sha256]);
        removed++;
      }
      return removed;
    },
  };
}

export type CodeBlobs = ReturnType<typeof createCodeBlobs>;
