import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScheduleExpression, ScheduleExpressionError } from './schedule-expression.js';

const valid: Array<[string, number?]> = [
  ['rate(1 minute)', 60_000],
  ['rate(5 minutes)', 300_000],
  ['rate(1 hour)', 3_600_000],
  ['rate(12 hours)', 43_200_000],
  ['rate(1 day)', 86_400_000],
  ['rate(2 days)', 172_800_000],
  ['cron(0 10 * * ? *)'],
  ['cron(15 12 * * ? *)'],
  ['cron(0 18 ? * MON-FRI *)'],
  ['cron(0 8 1 * ? *)'],
  ['cron(0/15 * * * ? *)'],
  ['cron(*/15 * * * ? *)'],
  ['cron(0/10 * ? * MON-FRI *)'],
  ['cron(0/5 8-17 ? * MON-FRI *)'],
  ['cron(0 9 ? * 2#1 *)'],
  ['cron(0 9 ? * MON#2 *)'],
  ['cron(0 0 L * ? *)'],
  ['cron(0 0 15W * ? *)'],
  ['cron(0 0 ? * 6L *)'],
  ['cron(0 0 ? * L *)'],
  ['cron(0 0 1 JAN,JUL ? 2027-2030)'],
  ['cron(30 2 ? * sun *)'],
  ['cron(0 12 1-15/2 * ? *)'],
  ['cron(0,30 6,18 * * ? 2199)'],
];

const invalid: Array<[string, RegExp]> = [
  ['rate(1 minutes)', /write "1 minute"/],
  ['rate(5 minute)', /write "5 minutes"/],
  ['rate(1 hours)', /write "1 hour"/],
  ['rate(2 day)', /write "2 days"/],
  ['rate(0 minutes)', /1 or more/],
  ['rate(-1 minutes)', /rate\(<number> <unit>\)/],
  ['rate(1.5 hours)', /rate\(<number> <unit>\)/],
  ['rate(30 seconds)', /minute\(s\), hour\(s\) or day\(s\)/],
  ['rate(5  minutes)', /rate\(<number> <unit>\)/],
  ['rate(5minutes)', /rate\(<number> <unit>\)/],
  ['rate()', /rate\(<number> <unit>\)/],
  ['every 5 minutes', /rate\(<number> <unit>\) or cron/],
  ['cron(0 10 * * *)', /6 fields/],
  ['cron(0 10 * * ? * *)', /6 fields/],
  ['cron(0 10 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
  ['cron(0 10 ? * ? *)', /exactly one of day-of-month and day-of-week must be \?/],
  ['cron(0 10 1 * MON *)', /exactly one/],
  ['cron(60 10 * * ? *)', /minutes: 60 is outside 0-59/],
  ['cron(0 24 * * ? *)', /hours: 24 is outside 0-23/],
  ['cron(0 0 32 * ? *)', /day-of-month: 32 is outside 1-31/],
  ['cron(0 0 0 * ? *)', /day-of-month: 0 is outside 1-31/],
  ['cron(0 0 1 13 ? *)', /month: 13 is outside 1-12/],
  ['cron(0 0 1 FOO ? *)', /month: "FOO" is not a number/],
  ['cron(0 0 ? * 8 *)', /day-of-week: 8 is outside 1-7/],
  ['cron(0 0 ? * MON#6 *)', /the number after # is 1 to 5/],
  ['cron(0 0 ? * MON#1,FRI *)', /L and # apply to one day/],
  ['cron(0 0 ? * 6L,2 *)', /L and # apply to one day/],
  ['cron(0 0 ? * JUL *)', /day-of-week: "JUL" is not a number from 1 to 7 or SUN-SAT/],
  ['cron(0 0 1 * ? 2200)', /year: 2200 is outside 1970-2199/],
  ['cron(0 0 1 * ? 1969)', /year: 1969 is outside/],
  ['cron(0 0 5-1 * ? *)', /ends before it starts/],
  ['cron(*/0 * * * ? *)', /step .* must be a positive number/],
  ['cron(0 ? * * ? *)', /\? is only for day-of-month or day-of-week/],
  ['cron(0 0 LW * ? *)', /L and W stand alone/],
  ['cron(0 0 1,L * ? *)', /L and W stand alone/],
  ['cron(0 0 1,,2 * ? *)', /not a value, a range or a step/],
];

describe('parseScheduleExpression', () => {
  for (const [expression, periodMs] of valid) {
    it(`accepts ${expression}`, () => {
      const schedule = parseScheduleExpression(expression);
      if (periodMs !== undefined) assert.deepEqual(schedule, { kind: 'rate', periodMs });
      else assert.equal(schedule.kind, 'cron');
    });
  }
  for (const [expression, reason] of invalid) {
    it(`refuses ${expression}`, () => {
      assert.throws(
        () => parseScheduleExpression(expression),
        (error: unknown) => {
          assert.ok(error instanceof ScheduleExpressionError);
          assert.ok(error.message.startsWith('Parameter ScheduleExpression is not valid.'), error.message);
          assert.match(error.message, reason);
          return true;
        },
      );
    });
  }

  it('reads ranges, steps, lists and names into the values they allow', () => {
    const schedule = parseScheduleExpression('cron(5/20 8-10 ? JAN,MAR-APR MON-FRI 2027/2)');
    assert.equal(schedule.kind, 'cron');
    if (schedule.kind !== 'cron') return;
    assert.deepEqual(schedule.cron.minutes, [5, 25, 45]);
    assert.deepEqual(schedule.cron.hours, [8, 9, 10]);
    assert.deepEqual([...schedule.cron.months], [1, 3, 4]);
    assert.deepEqual(schedule.cron.dayOfWeek, { kind: 'days', days: new Set([2, 3, 4, 5, 6]) });
    assert.deepEqual([...schedule.cron.years].slice(0, 3), [2027, 2029, 2031]);
  });
});
