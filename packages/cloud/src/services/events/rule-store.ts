import type { SqlStore } from '../../engines/types.js';

/** One target of a rule: a Lambda function, and the JSON it receives instead of the scheduled event. */
export interface RuleTarget {
  Id: string;
  Arn: string;
  Input?: string;
}

/** A schedule rule as the store keeps it; `nextFireAt` is undefined while it is disabled or has no time left. */
export interface StoredRule {
  name: string;
  arn: string;
  scheduleExpression: string;
  state: 'ENABLED' | 'DISABLED';
  targets: RuleTarget[];
  /** When the rule got its schedule: a rate counts its periods from here. */
  anchorAt: number;
  nextFireAt: number | undefined;
}

interface RuleRow {
  name: string;
  arn: string;
  schedule_expression: string;
  state: string;
  targets: string;
  anchor_at: number;
  next_fire_at: number | null;
}

const ruleOf = (row: RuleRow): StoredRule => ({
  name: row.name,
  arn: row.arn,
  scheduleExpression: row.schedule_expression,
  state: row.state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
  targets: JSON.parse(row.targets) as RuleTarget[],
  anchorAt: row.anchor_at,
  nextFireAt: row.next_fire_at ?? undefined,
});

const COLUMNS = 'name, arn, schedule_expression, state, targets, anchor_at, next_fire_at';

/** The rules in SQL, with each one's next fire time, so schedules survive restarts. */
export function createRuleStore(sql: SqlStore) {
  return {
    async get(name: string): Promise<StoredRule | undefined> {
      const row = await sql.get<RuleRow>(`SELECT ${COLUMNS} FROM events_rules WHERE name = ?`, [name]);
      return row && ruleOf(row);
    },
    async put(rule: StoredRule): Promise<void> {
      await sql.run(
        `INSERT INTO events_rules (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET arn = excluded.arn, schedule_expression = excluded.schedule_expression, state = excluded.state,
           targets = excluded.targets, anchor_at = excluded.anchor_at, next_fire_at = excluded.next_fire_at`,
        [rule.name, rule.arn, rule.scheduleExpression, rule.state, JSON.stringify(rule.targets), rule.anchorAt, rule.nextFireAt ?? null],
      );
    },
    async delete(name: string): Promise<void> {
      await sql.run('DELETE FROM events_rules WHERE name = ?', [name]);
    },
    /** Enabled rules whose next fire time is at or before `now`. */
    async due(now: number, limit: number): Promise<StoredRule[]> {
      const rows = await sql.all<RuleRow>(
        `SELECT ${COLUMNS} FROM events_rules WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? AND state = 'ENABLED' ORDER BY next_fire_at LIMIT ?`,
        [now, limit],
      );
      return rows.map(ruleOf);
    },
    /** The earliest next fire time of an enabled rule. */
    async earliest(): Promise<number | undefined> {
      const row = await sql.get<{ at: number | null }>("SELECT MIN(next_fire_at) AS at FROM events_rules WHERE state = 'ENABLED'");
      return row?.at ?? undefined;
    },
    /**
     * Moves a rule's next fire time from `from` to `to`; false when something else moved it first (an update
     * of the rule), so one period never fires twice.
     */
    async advance(name: string, from: number, to: number | undefined): Promise<boolean> {
      const { changes } = await sql.run('UPDATE events_rules SET next_fire_at = ? WHERE name = ? AND next_fire_at = ?', [to ?? null, name, from]);
      return changes === 1;
    },
  };
}

export type RuleStore = ReturnType<typeof createRuleStore>;
