import type { CronSpec } from './cron-fields.js';
import type { Schedule } from './schedule-expression.js';

const MINUTE_MS = 60_000;
/** EventBridge's cron years end here: a schedule with no time left never fires again. */
const LAST_YEAR = 2199;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday, as in EventBridge's day-of-week field. */
const weekdayOf = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Monday to Friday) nearest `day` within its month, as `15W` means. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function dayMatches(cron: CronSpec, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const dom = cron.dayOfMonth;
  if (dom.kind === 'days' && !dom.days.has(day)) return false;
  if (dom.kind === 'last' && day !== last) return false;
  if (dom.kind === 'nearestWeekday' && (dom.day > last || nearestWeekday(year, month, dom.day) !== day)) return false;
  const dow = cron.dayOfWeek;
  const weekday = weekdayOf(year, month, day);
  switch (dow.kind) {
    case 'any':
      return true;
    case 'days':
      return dow.days.has(weekday);
    case 'lastOfMonth':
      return weekday === dow.day && day + 7 > last;
    case 'nth':
      return weekday === dow.day && Math.ceil(day / 7) === dow.n;
  }
}

/** The first minute of the day at or after `fromMinute` (minutes since midnight) that the cron allows. */
function firstMinuteOfDay(cron: CronSpec, fromMinute: number): number | undefined {
  for (const hour of cron.hours) {
    if (hour * 60 + 59 < fromMinute) continue;
    for (const minute of cron.minutes) if (hour * 60 + minute >= fromMinute) return hour * 60 + minute;
  }
  return undefined;
}

function nextCronTime(cron: CronSpec, from: number): number | undefined {
  const start = new Date(from);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let fromMinute = start.getUTCHours() * 60 + start.getUTCMinutes();
  const nextMonth = (): void => {
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
    [day, fromMinute] = [1, 0];
  };
  while (year <= LAST_YEAR) {
    if (!cron.years.has(year)) {
      [year, month, day, fromMinute] = [year + 1, 1, 1, 0];
    } else if (!cron.months.has(month) || day > daysInMonth(year, month)) {
      nextMonth();
    } else {
      const minute = dayMatches(cron, year, month, day) ? firstMinuteOfDay(cron, fromMinute) : undefined;
      if (minute !== undefined) return Date.UTC(year, month - 1, day, 0, minute);
      [day, fromMinute] = [day + 1, 0];
    }
  }
  return undefined;
}

/**
 * The first time strictly after `after` (ms) that `schedule` fires, or undefined when it never fires again
 * (a cron whose years have passed). Cron times are whole UTC minutes; a rate fires every period counted from
 * `anchor` (when the rule got its schedule), first one period after it, as EventBridge does.
 */
export function nextFireTime(schedule: Schedule, after: number, anchor: number): number | undefined {
  if (schedule.kind === 'rate') {
    const periods = Math.max(1, Math.floor((after - anchor) / schedule.periodMs) + 1);
    return anchor + periods * schedule.periodMs;
  }
  return nextCronTime(schedule.cron, Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
}
