import { validationError } from './errors.js';

/**
 * What a request consumed, counted as DynamoDB counts it for `ReturnConsumedCapacity`: a read takes one unit
 * per 4 KB of the items read (rounded up, at least one; half as much when eventually consistent), a write one
 * unit per 1 KB of the larger of the item before and after it (at least one), each index entry written one
 * more write. Transactions count twice. Forte has no throughput limits: the figures only inform.
 */
export interface CapacityMeter {
  /** `bytes` of items read from a table, or from one of its indexes (`local` for a local one) by a Query or Scan of it. */
  read(table: string, bytes: number, index?: string, local?: boolean): void;
  /** One item written (`bytes` the larger of its sizes before and after), or one index entry written. */
  write(table: string, bytes: number, index?: string, local?: boolean): void;
}

interface Consumption {
  table: number;
  indexes: Map<string, { units: number; local: boolean }>;
}

const READ_UNIT_BYTES = 4096;
const WRITE_UNIT_BYTES = 1024;

export type CapacityMode = 'TOTAL' | 'INDEXES';

/** ReturnConsumedCapacity: undefined for NONE or absent; anything else than the three values is refused. */
export function capacityMode(value: unknown): CapacityMode | undefined {
  if (value === undefined || value === null || value === 'NONE') return undefined;
  if (value === 'TOTAL' || value === 'INDEXES') return value;
  throw validationError(
    `1 validation error detected: Value '${String(value)}' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]`,
  );
}

/**
 * A meter for one request. `consistent` says whether reads are strongly consistent (a function of the table
 * for BatchGetItem, whose tables each have their own ConsistentRead); `factor` is 2 for transactions.
 */
export function createCapacityMeter(mode: CapacityMode, options: { consistent?: (table: string) => boolean; factor?: number } = {}) {
  const factor = options.factor ?? 1;
  const tables = new Map<string, Consumption>();
  const entry = (table: string): Consumption => {
    let found = tables.get(table);
    if (!found) tables.set(table, (found = { table: 0, indexes: new Map() }));
    return found;
  };
  const add = (table: string, units: number, index: string | undefined, local: boolean): void => {
    const consumption = entry(table);
    if (index === undefined) consumption.table += units * factor;
    else {
      const current = consumption.indexes.get(index) ?? { units: 0, local };
      current.units += units * factor;
      consumption.indexes.set(index, current);
    }
  };
  const meter: CapacityMeter = {
    read(table, bytes, index, local = false) {
      const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
      add(table, options.consistent?.(table) === true ? units : units / 2, index, local);
    },
    write(table, bytes, index, local = false) {
      add(table, Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES)), index, local);
    },
  };
  /** One table's ConsumedCapacity element, as DynamoDB answers it. */
  const describe = (table: string): Record<string, unknown> => {
    const c = entry(table);
    let total = c.table;
    for (const i of c.indexes.values()) total += i.units;
    const out: Record<string, unknown> = { TableName: table, CapacityUnits: total };
    if (mode === 'INDEXES') {
      if (c.table > 0 || c.indexes.size === 0) out.Table = { CapacityUnits: c.table };
      const global = [...c.indexes].filter(([, i]) => !i.local);
      const local = [...c.indexes].filter(([, i]) => i.local);
      if (global.length > 0) out.GlobalSecondaryIndexes = Object.fromEntries(global.map(([name, i]) => [name, { CapacityUnits: i.units }]));
      if (local.length > 0) out.LocalSecondaryIndexes = Object.fromEntries(local.map(([name, i]) => [name, { CapacityUnits: i.units }]));
    }
    return out;
  };
  return {
    meter,
    /** The ConsumedCapacity of a request on one table. */
    one: (table: string): Record<string, unknown> => describe(table),
    /** The ConsumedCapacity list of a request on several tables (batches, transactions), in order of first use. */
    all: (): Record<string, unknown>[] => [...tables.keys()].map(describe),
  };
}
