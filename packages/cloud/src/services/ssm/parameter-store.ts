import type { SqlStore } from '../../engines/types.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import { SSM_ERRORS } from './ssm-errors.js';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** A parameter as kept: `value` is sealed for a SecureString (open it with `ParameterStore.plaintext`). */
export interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  description: string | undefined;
  version: number;
  tier: ParameterTier;
  dataType: string;
  lastModifiedAt: number;
  lastModifiedUser: string;
}

export interface PutInput {
  name: string;
  type: ParameterType | undefined;
  value: string;
  description: string | undefined;
  overwrite: boolean;
  tier: ParameterTier;
  user: string;
}

/** How many parameters an account may keep (AWS's standard-tier quota per account and region). */
export const MAX_PARAMETERS = 10_000;

interface Row {
  name: string;
  type: ParameterType;
  value: string;
  description: string | null;
  version: number;
  tier: ParameterTier;
  data_type: string;
  last_modified_at: number;
  last_modified_user: string;
}

/** Where a SecureString value is sealed: its table, column, name and version (a value moved to another row does not open). */
const sealContext = (name: string, version: number): string => `ssm_parameters.value:${name}:${version}`;

const toParameter = (row: Row): StoredParameter => ({
  name: row.name,
  type: row.type,
  value: row.value,
  description: row.description ?? undefined,
  version: Number(row.version),
  tier: row.tier,
  dataType: row.data_type,
  lastModifiedAt: Number(row.last_modified_at),
  lastModifiedUser: row.last_modified_user,
});

/** The names that sort under `path` (`/a` → `/a/...`): from `<path>/` up to, not including, `<path>0` ('0' follows '/'). */
const rangeOf = (path: string): [string, string] => (path === '/' ? ['/', '0'] : [`${path}/`, `${path}0`]);

/** `text` matched literally in a LIKE pattern with ESCAPE '\' (names have `_`, a LIKE wildcard). */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export type ParameterStore = ReturnType<typeof createParameterStore>;

/** The parameters of one cloud (one account and region), SecureString values sealed with `secrets`. */
export function createParameterStore(sql: SqlStore, secrets: SecretBox, limits: { maxParameters: number } = { maxParameters: MAX_PARAMETERS }) {
  return {
    async get(name: string): Promise<StoredParameter | undefined> {
      const row = await sql.get<Row>('SELECT * FROM ssm_parameters WHERE name = ?', [name]);
      return row && toParameter(row);
    },

    /** The value as the caller may see it: a SecureString's plaintext only when `decrypt`, otherwise its sealed form. */
    plaintext(parameter: StoredParameter, decrypt: boolean): string {
      if (parameter.type !== 'SecureString' || !decrypt) return parameter.value;
      return secrets.open(parameter.value, sealContext(parameter.name, parameter.version));
    },

    /**
     * Creates or (with `overwrite`) replaces a parameter, one version further; a SecureString value is
     * sealed before it is written. The type and description stay as they were when not given.
     */
    async put(input: PutInput, now: number): Promise<{ version: number; tier: ParameterTier }> {
      return sql.transaction(async (tx) => {
        const existing = await tx.get<Row>('SELECT * FROM ssm_parameters WHERE name = ?', [input.name]);
        if (existing && !input.overwrite)
          throw SSM_ERRORS.error(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        const type = input.type ?? existing?.type;
        if (!type)
          throw SSM_ERRORS.error('ValidationException', `A parameter type is required when you create a parameter (${input.name} does not exist): set Type.`);
        if (!existing) {
          const count = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM ssm_parameters');
          if (Number(count?.n ?? 0) >= limits.maxParameters)
            throw SSM_ERRORS.error(
              'ParameterLimitExceeded',
              `This account already has ${limits.maxParameters} parameters, the most it may keep: delete some first.`,
            );
        }
        const version = Number(existing?.version ?? 0) + 1;
        // An Advanced parameter cannot go back to Standard (as in AWS).
        const tier: ParameterTier = existing?.tier === 'Advanced' ? 'Advanced' : input.tier;
        const value = type === 'SecureString' ? secrets.seal(input.value, sealContext(input.name, version)) : input.value;
        const description = input.description ?? existing?.description ?? null;
        await tx.run(
          `INSERT INTO ssm_parameters (name, type, value, description, version, tier, data_type, last_modified_at, last_modified_user)
           VALUES (?, ?, ?, ?, ?, ?, 'text', ?, ?)
           ON CONFLICT (name) DO UPDATE SET type = excluded.type, value = excluded.value, description = excluded.description,
             version = excluded.version, tier = excluded.tier, last_modified_at = excluded.last_modified_at,
             last_modified_user = excluded.last_modified_user`,
          [input.name, type, value, description, version, tier, now, input.user],
        );
        return { version, tier };
      });
    },

    /** Whether a parameter was deleted. */
    async delete(name: string): Promise<boolean> {
      return (await sql.run('DELETE FROM ssm_parameters WHERE name = ?', [name])).changes > 0;
    },

    /**
     * Parameters under `path` in name order, after `after` (exclusive): every level below it when
     * `recursive`, else only its direct children.
     */
    async listUnder(path: string, options: { recursive: boolean; after: string | undefined; limit: number }): Promise<StoredParameter[]> {
      const [from, to] = rangeOf(path);
      const start = options.after !== undefined && options.after >= from ? options.after : undefined;
      const rows = await sql.all<Row>(
        `SELECT * FROM ssm_parameters WHERE ${start === undefined ? 'name >= ?' : 'name > ?'} AND name < ?
           ${options.recursive ? '' : "AND name NOT LIKE ? ESCAPE '\\'"} ORDER BY name LIMIT ?`,
        [start ?? from, to, ...(options.recursive ? [] : [`${escapeLike(from)}%/%`]), options.limit],
      );
      return rows.map(toParameter);
    },

    /** Every parameter in name order after `after` (exclusive). */
    async list(options: { after: string | undefined; limit: number }): Promise<StoredParameter[]> {
      const rows = await sql.all<Row>('SELECT * FROM ssm_parameters WHERE name > ? ORDER BY name LIMIT ?', [options.after ?? '', options.limit]);
      return rows.map(toParameter);
    },

    /** Deletes every parameter under `path` (all levels); answers how many. */
    async deleteUnder(path: string): Promise<number> {
      const [from, to] = rangeOf(path);
      return (await sql.run('DELETE FROM ssm_parameters WHERE name >= ? AND name < ?', [from, to])).changes;
    },
  };
}
