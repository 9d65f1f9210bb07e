import { CronFieldError, DAY_OF_WEEK, HOURS, MINUTES, MONTH, YEAR, parseDayOfMonth, parseDayOfWeek, parseValues, type CronSpec } from './cron-fields.js';

/** A parsed `ScheduleExpression`: a fixed period (`rate`) or calendar times (`cron`), in UTC. */
export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; cron: CronSpec };

/** EventBridge's words for an expression it refuses; `reason` says what is wrong. */
export class ScheduleExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`Parameter ScheduleExpression is not valid. ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function parseRate(expression: string, body: string): Schedule {
  const match = /^(\d+) ([a-z]+)$/.exec(body);
  if (!match) throw new ScheduleExpressionError(expression, 'a rate is rate(<number> <unit>), e.g. rate(5 minutes)');
  const value = Number(match[1]);
  const word = match[2] ?? '';
  if (!Number.isSafeInteger(value) || value < 1) throw new ScheduleExpressionError(expression, 'the rate must be a whole number of 1 or more');
  const unit = word.replace(/s$/, '');
  const expected = value === 1 ? unit : `${unit}s`;
  if (UNIT_MS[unit] === undefined) throw new ScheduleExpressionError(expression, `the unit is minute(s), hour(s) or day(s), not "${word}"`);
  // EventBridge refuses `rate(1 minutes)` and `rate(5 minute)`.
  if (word !== expected) throw new ScheduleExpressionError(expression, `write "${value} ${expected}": the unit is singular for 1 and plural otherwise`);
  return { kind: 'rate', periodMs: value * UNIT_MS[unit] };
}

function parseCron(expression: string, body: string): Schedule {
  const fields = body.split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) {
    throw new ScheduleExpressionError(
      expression,
      'a cron expression has 6 fields separated by single spaces: minutes hours day-of-month month day-of-week year',
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new ScheduleExpressionError(expression, 'exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON *)');
  }
  try {
    for (const [text, shape] of [
      [minutes, MINUTES],
      [hours, HOURS],
      [month, MONTH],
      [year, YEAR],
    ] as const) {
      if (text === '?') throw new CronFieldError(`${shape.name}: ? is only for day-of-month or day-of-week`);
    }
    if (/[?]/.test(dayOfWeek) && dayOfWeek !== '?') throw new CronFieldError(`${DAY_OF_WEEK.name}: ? stands alone`);
    return {
      kind: 'cron',
      cron: {
        minutes: parseValues(MINUTES, minutes),
        hours: parseValues(HOURS, hours),
        dayOfMonth: parseDayOfMonth(dayOfMonth),
        months: new Set(parseValues(MONTH, month)),
        dayOfWeek: parseDayOfWeek(dayOfWeek),
        years: new Set(parseValues(YEAR, year)),
      },
    };
  } catch (error) {
    if (error instanceof CronFieldError) throw new ScheduleExpressionError(expression, error.message);
    throw error;
  }
}

/**
 * Parses an EventBridge `ScheduleExpression`: `rate(<n> minute|minutes|hour|hours|day|days)` or the 6-field
 * `cron(minutes hours day-of-month month day-of-week year)` with `, - * / ? L W #` and month and day names.
 * Throws ScheduleExpressionError with EventBridge's message and what is wrong.
 */
export function parseScheduleExpression(expression: string): Schedule {
  const match = /^(rate|cron)\((.*)\)$/s.exec(expression);
  if (!match) throw new ScheduleExpressionError(expression, 'a schedule is rate(<number> <unit>) or cron(<6 fields>)');
  return match[1] === 'rate' ? parseRate(expression, match[2] ?? '') : parseCron(expression, match[2] ?? '');
}
