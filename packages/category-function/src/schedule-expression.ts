/** Amplify's schedule intervals as EventBridge expressions (its cronHelper's shapes). */
export function scheduleExpression(
  s: { every: 'minute' | 'hour'; count: number } | { every: 'day' | 'week' | 'month' | 'year'; hour: number; minute: number },
): string {
  if ('count' in s) return `rate(${s.count} ${s.every}${s.count === 1 ? '' : 's'})`;
  const { minute, hour } = s;
  switch (s.every) {
    case 'day':
      return `cron(${minute} ${hour} * * ? *)`;
    case 'week':
      return `cron(${minute} ${hour} ? * MON *)`;
    case 'month':
      return `cron(${minute} ${hour} 1 * ? *)`;
    case 'year':
      return `cron(${minute} ${hour} 1 1 ? *)`;
  }
}

const FIELD = /^[0-9A-Za-z*?,\-/#L W]+$/;

/**
 * Checks an EventBridge schedule expression: `rate(N unit)` (minute for 1, minutes otherwise, ...) or a
 * six-field `cron(min hour day-of-month month day-of-week year)` with `?` in one of the day fields.
 * Returns true or what is wrong.
 */
export function validateScheduleExpression(expression: string): true | string {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) return 'A rate must be 1 or more.';
    if ((n === 1) !== !rate[2]!.endsWith('s'))
      return `Use the ${n === 1 ? 'singular' : 'plural'} unit with ${n}: rate(${n} ${n === 1 ? rate[2]!.replace(/s$/, '') : rate[2]!.replace(/s?$/, 's')}).`;
    return true;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'A schedule is rate(<number> <minute(s)|hour(s)|day(s)>) or cron(<6 fields>).';
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return `A cron expression has 6 fields (minutes hours day-of-month month day-of-week year); this one has ${fields.length}.`;
  if (!fields.every((f) => FIELD.test(f))) return 'A cron field holds digits, names, and * ? , - / L W # only.';
  const [minute, hour, dom, , dow] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) return 'Exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?.';
  const range = (field: string, max: number): boolean => field.split(/[,\-/]/).every((part) => part === '*' || (/^\d+$/.test(part) && Number(part) <= max));
  if (!range(minute, 59)) return 'Minutes (1st field) run from 0 to 59.';
  if (!range(hour, 23)) return 'Hours (2nd field) run from 0 to 23.';
  return true;
}
