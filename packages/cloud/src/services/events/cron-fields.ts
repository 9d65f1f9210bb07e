/** What a day-of-month field selects: listed days, the last day (`L`) or the weekday nearest a day (`15W`). */
export type DayOfMonthSpec = { kind: 'any' } | { kind: 'days'; days: ReadonlySet<number> } | { kind: 'last' } | { kind: 'nearestWeekday'; day: number };

/** What a day-of-week field selects (1 = Sunday): listed days, the last such day of the month (`6L`) or the nth (`2#1`). */
export type DayOfWeekSpec =
  { kind: 'any' } | { kind: 'days'; days: ReadonlySet<number> } | { kind: 'lastOfMonth'; day: number } | { kind: 'nth'; day: number; n: number };

/** A parsed EventBridge cron expression: every field as the values it allows, in UTC. */
export interface CronSpec {
  minutes: readonly number[];
  hours: readonly number[];
  dayOfMonth: DayOfMonthSpec;
  months: ReadonlySet<number>;
  dayOfWeek: DayOfWeekSpec;
  years: ReadonlySet<number>;
}

/** A field that does not parse; the message says which and why. */
export class CronFieldError extends Error {}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldShape {
  name: string;
  min: number;
  max: number;
  /** Names for the values from `min` on (JAN = 1, SUN = 1). */
  names?: readonly string[];
}

export const MINUTES: FieldShape = { name: 'minutes', min: 0, max: 59 };
export const HOURS: FieldShape = { name: 'hours', min: 0, max: 23 };
export const DAY_OF_MONTH: FieldShape = { name: 'day-of-month', min: 1, max: 31 };
export const MONTH: FieldShape = { name: 'month', min: 1, max: 12, names: MONTH_NAMES };
export const DAY_OF_WEEK: FieldShape = { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES };
export const YEAR: FieldShape = { name: 'year', min: 1970, max: 2199 };

function valueOf(shape: FieldShape, text: string): number {
  const named = shape.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return shape.min + named;
  if (!/^\d{1,4}$/.test(text)) {
    const names = shape.names ? ` or ${shape.names[0]}-${shape.names.at(-1)}` : '';
    throw new CronFieldError(`${shape.name}: "${text}" is not a number from ${shape.min} to ${shape.max}${names}`);
  }
  const value = Number(text);
  if (value < shape.min || value > shape.max) throw new CronFieldError(`${shape.name}: ${value} is outside ${shape.min}-${shape.max}`);
  return value;
}

/** Parses a field made of `,`-separated `*`, `n`, `a-b`, `*\/s`, `a/s` and `a-b/s` parts into its values. */
export function parseValues(shape: FieldShape, text: string): number[] {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new CronFieldError(`${shape.name}: "${part}" is not a value, a range or a step`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [shape.min, shape.max];
    else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) throw new CronFieldError(`${shape.name}: "${range}" is not a range`);
      [from, to] = [valueOf(shape, a), valueOf(shape, b)];
      if (from > to) throw new CronFieldError(`${shape.name}: the range "${range}" ends before it starts`);
    } else {
      from = valueOf(shape, range);
      // `5/15` runs from 5 to the field's end, every 15.
      to = step === undefined ? from : shape.max;
    }
    let by = 1;
    if (step !== undefined) {
      if (!/^\d{1,4}$/.test(step) || Number(step) === 0) throw new CronFieldError(`${shape.name}: the step in "${part}" must be a positive number`);
      by = Number(step);
    }
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Day-of-month: `?`, `*`, values, `L` or `<day>W`. */
export function parseDayOfMonth(text: string): DayOfMonthSpec {
  if (text === '?') return { kind: 'any' };
  if (text.toUpperCase() === 'L') return { kind: 'last' };
  const weekday = /^(\d{1,2})W$/i.exec(text);
  if (weekday) return { kind: 'nearestWeekday', day: valueOf(DAY_OF_MONTH, weekday[1] ?? '') };
  if (/[LW]/i.test(text)) throw new CronFieldError(`day-of-month: "${text}": L and W stand alone (L, or a day followed by W such as 15W)`);
  if (text === '*') return { kind: 'any' };
  return { kind: 'days', days: new Set(parseValues(DAY_OF_MONTH, text)) };
}

/** Day-of-week: `?`, `*`, values, `L` (Saturday), `<day>L` (last of the month) or `<day>#<n>` (nth of the month). */
export function parseDayOfWeek(text: string): DayOfWeekSpec {
  if (text === '?' || text === '*') return { kind: 'any' };
  if (text.toUpperCase() === 'L') return { kind: 'days', days: new Set([7]) };
  const last = /^([A-Za-z]{3}|\d)L$/i.exec(text);
  if (last) return { kind: 'lastOfMonth', day: valueOf(DAY_OF_WEEK, last[1] ?? '') };
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronFieldError(`day-of-week: "${text}": the number after # is 1 to 5`);
    return { kind: 'nth', day: valueOf(DAY_OF_WEEK, nth[1] ?? ''), n };
  }
  if (/#|\dL|(^|,)L(,|$)/i.test(text)) throw new CronFieldError(`day-of-week: "${text}": L and # apply to one day (6L, 2#1)`);
  return { kind: 'days', days: new Set(parseValues(DAY_OF_WEEK, text)) };
}
