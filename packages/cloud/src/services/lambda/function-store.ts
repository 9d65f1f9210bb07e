import type { CodeSource } from './code-location.js';
import type { SqlStore } from '../../engines/types.js';

/** A function's configuration from its template (Lambda's defaults filled in). */
export interface FunctionConfig {
  handler: string;
  runtime: string;
  role: string;
  memoryMb: number;
  timeoutSeconds: number;
  variables: Record<string, string>;
  /** Layer version ARNs, in the template's order. */
  layers: string[];
  reservedConcurrency?: number;
  description?: string;
  /** The object the code was deployed from (`Code.S3Bucket`/`S3Key`), for GetFunction's `Code.Location`; none for `ZipFile`. */
  codeSource?: CodeSource;
}

export interface StoredFunction {
  name: string;
  arn: string;
  config: FunctionConfig;
  codeSha256: string;
  codeSize: number;
  revision: string;
  lastModified: string;
}

export interface StoredLayerVersion {
  arn: string;
  layerName: string;
  version: number;
  codeSha256: string;
  codeSize: number;
  compatibleRuntimes: string[];
  createdAt: string;
  /**
   * For a version published before zips were kept in the blob store: the sha256 of the zip kept for it since,
   * its unpacked folder zipped again (not the published zip, whose sha256 `codeSha256` stays).
   */
  keptSha256?: string;
}

interface FunctionRow {
  name: string;
  arn: string;
  config: string;
  code_sha256: string;
  code_size: number;
  revision: string;
  last_modified: string;
}

const toFunction = (row: FunctionRow): StoredFunction => ({
  name: row.name,
  arn: row.arn,
  config: JSON.parse(row.config) as FunctionConfig,
  codeSha256: row.code_sha256,
  codeSize: row.code_size,
  revision: row.revision,
  lastModified: row.last_modified,
});

/** Functions, layer versions, permissions, event source mappings and log groups, as their resources left them. */
export function createFunctionStore(sql: SqlStore) {
  // Functions read at a data version (SqlStore `dataVersion`): every invocation looks its function up, and
  // until the database changes the row cannot have. Engines without a data version read every time.
  const read = new Map<string, { version: number; fn: StoredFunction | undefined }>();
  const reading = new Map<string, { version: number; fresh: boolean; fn: Promise<StoredFunction | undefined> }>();
  return {
    /**
     * The function as last written; `fresh` reads the database even when the version has not changed, for a
     * caller told of a write by another channel than the version's (its message may come first).
     */
    async get(name: string, options: { fresh?: boolean } = {}): Promise<StoredFunction | undefined> {
      const version = sql.dataVersion?.();
      const known = read.get(name);
      if (!options.fresh && known && version !== undefined && known.version === version) return known.fn;
      // Invocations that miss together at one version share one read (a burst for a function not held, or
      // unknown); a fresh read joins only one that is itself fresh.
      const pending = reading.get(name);
      if (version !== undefined && pending?.version === version && (pending.fresh || !options.fresh)) return pending.fn;
      const started = (async () => {
        const row = await sql.get<FunctionRow>('SELECT * FROM lambda_functions WHERE name = ?', [name]);
        const fn = row && toFunction(row);
        if (version !== undefined && sql.dataVersion?.() === version) {
          if (read.size >= 1000) read.clear();
          read.set(name, { version, fn });
        }
        return fn;
      })();
      if (version === undefined) return started;
      const entry = { version, fresh: options.fresh === true, fn: started };
      reading.set(name, entry);
      try {
        return await started;
      } finally {
        if (reading.get(name) === entry) reading.delete(name);
      }
    },
    async list(after: string, limit: number): Promise<StoredFunction[]> {
      const rows = await sql.all<FunctionRow>('SELECT * FROM lambda_functions WHERE name > ? ORDER BY name LIMIT ?', [after, limit]);
      return rows.map(toFunction);
    },
    async all(): Promise<StoredFunction[]> {
      return (await sql.all<FunctionRow>('SELECT * FROM lambda_functions ORDER BY name')).map(toFunction);
    },
    async put(fn: StoredFunction): Promise<void> {
      await sql.run(
        `INSERT INTO lambda_functions (name, arn, config, code_sha256, code_size, revision, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET arn = excluded.arn, config = excluded.config, code_sha256 = excluded.code_sha256,
           code_size = excluded.code_size, revision = excluded.revision, last_modified = excluded.last_modified`,
        [fn.name, fn.arn, JSON.stringify(fn.config), fn.codeSha256, fn.codeSize, fn.revision, fn.lastModified],
      );
    },
    async delete(name: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM lambda_functions WHERE name = ?', [name]);
        await tx.run('DELETE FROM lambda_credentials WHERE function_name = ?', [name]);
        await tx.run('DELETE FROM lambda_event_invocations WHERE function_name = ?', [name]);
      });
    },
    /** Every code sha256 a function or layer version uses (what the code store keeps). */
    async codeInUse(): Promise<Set<string>> {
      const rows = await sql.all<{ sha: string }>(
        `SELECT code_sha256 AS sha FROM lambda_functions UNION SELECT code_sha256 AS sha FROM lambda_layer_versions
         UNION SELECT kept_sha256 AS sha FROM lambda_layer_versions WHERE kept_sha256 IS NOT NULL`,
      );
      return new Set(rows.map((r) => r.sha));
    },

    async getLayerVersion(arn: string): Promise<StoredLayerVersion | undefined> {
      const row = await sql.get<{
        arn: string;
        layer_name: string;
        version: number;
        code_sha256: string;
        code_size: number;
        compatible_runtimes: string;
        created_at: string;
        kept_sha256: string | null;
      }>('SELECT * FROM lambda_layer_versions WHERE arn = ?', [arn]);
      return (
        row && {
          arn: row.arn,
          layerName: row.layer_name,
          version: row.version,
          codeSha256: row.code_sha256,
          codeSize: row.code_size,
          compatibleRuntimes: JSON.parse(row.compatible_runtimes) as string[],
          createdAt: row.created_at,
          ...(row.kept_sha256 ? { keptSha256: row.kept_sha256 } : {}),
        }
      );
    },
    /**
     * The code (sha256) of layer versions that have no zip in the blob store: published before zips were kept
     * there (no `lambda_code_blobs` row), and none kept for them since.
     */
    async layerCodeWithoutZip(): Promise<string[]> {
      const rows = await sql.all<{ sha: string }>(
        `SELECT DISTINCT code_sha256 AS sha FROM lambda_layer_versions l
         WHERE l.kept_sha256 IS NULL AND NOT EXISTS (SELECT 1 FROM lambda_code_blobs b WHERE b.sha256 = l.code_sha256)`,
      );
      return rows.map((r) => r.sha);
    },
    /** Records `keptSha256` as the zip of the layer versions of `codeSha256` that have none yet; answers how many. */
    async keepLayerZip(codeSha256: string, keptSha256: string): Promise<number> {
      const { changes } = await sql.run('UPDATE lambda_layer_versions SET kept_sha256 = ? WHERE code_sha256 = ? AND kept_sha256 IS NULL', [
        keptSha256,
        codeSha256,
      ]);
      return changes;
    },
    /** Publishes the next version of a layer (versions count up from 1 and are never reused, as Lambda's). */
    async publishLayerVersion(input: {
      layerName: string;
      arnPrefix: string;
      codeSha256: string;
      codeSize: number;
      compatibleRuntimes: string[];
    }): Promise<string> {
      return sql.transaction(async (tx) => {
        const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM lambda_layer_versions WHERE layer_name = ?', [input.layerName]);
        const version = (row?.v ?? 0) + 1;
        const arn = `${input.arnPrefix}:layer:${input.layerName}:${version}`;
        await tx.run(
          'INSERT INTO lambda_layer_versions (arn, layer_name, version, code_sha256, code_size, compatible_runtimes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [arn, input.layerName, version, input.codeSha256, input.codeSize, JSON.stringify(input.compatibleRuntimes), new Date().toISOString()],
        );
        return arn;
      });
    },
    async deleteLayerVersion(arn: string): Promise<void> {
      await sql.run('DELETE FROM lambda_layer_versions WHERE arn = ?', [arn]);
    },

    /** Records a resource policy statement (`permission` on a function, `layer-permission` on a layer version). */
    async putPolicy(id: string, kind: 'permission' | 'layer-permission', target: string, properties: Record<string, unknown>): Promise<void> {
      await sql.run(
        'INSERT INTO lambda_policies (id, kind, target, properties) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET target = excluded.target, properties = excluded.properties',
        [id, kind, target, JSON.stringify(properties)],
      );
    },
    async policiesOf(target: string): Promise<Array<{ id: string; kind: string; properties: Record<string, unknown> }>> {
      const rows = await sql.all<{ id: string; kind: string; properties: string }>(
        'SELECT id, kind, properties FROM lambda_policies WHERE target = ? ORDER BY id',
        [target],
      );
      return rows.map((r) => ({ id: r.id, kind: r.kind, properties: JSON.parse(r.properties) as Record<string, unknown> }));
    },
    /** What a recorded statement is on (a function's name, a layer version's ARN); none when it is not recorded. */
    async policyTarget(id: string): Promise<string | undefined> {
      return (await sql.get<{ target: string }>('SELECT target FROM lambda_policies WHERE id = ?', [id]))?.target;
    },
    async deletePolicy(id: string): Promise<void> {
      await sql.run('DELETE FROM lambda_policies WHERE id = ?', [id]);
    },

    async putEventSourceMapping(uuid: string, functionName: string, properties: Record<string, unknown>): Promise<void> {
      await sql.run(
        'INSERT INTO lambda_event_source_mappings (uuid, function_name, properties) VALUES (?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET function_name = excluded.function_name, properties = excluded.properties',
        [uuid, functionName, JSON.stringify(properties)],
      );
    },
    async getEventSourceMapping(uuid: string): Promise<{ functionName: string; properties: Record<string, unknown> } | undefined> {
      const row = await sql.get<{ function_name: string; properties: string }>(
        'SELECT function_name, properties FROM lambda_event_source_mappings WHERE uuid = ?',
        [uuid],
      );
      return row && { functionName: row.function_name, properties: JSON.parse(row.properties) as Record<string, unknown> };
    },
    async deleteEventSourceMapping(uuid: string): Promise<void> {
      await sql.run('DELETE FROM lambda_event_source_mappings WHERE uuid = ?', [uuid]);
    },
  };
}

export type FunctionStore = ReturnType<typeof createFunctionStore>;
