import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFireTime } from './next-fire-time.js';
import { latestDueTime } from './rule-scheduler.js';
import { parseScheduleExpression } from './schedule-expression.js';

const ms = (iso: string): number => Date.parse(iso);
const next = (expression: string, after: string, anchor = after): string | undefined => {
  const at = nextFireTime(parseScheduleExpression(expression), ms(after), ms(anchor));
  return at === undefined ? undefined : new Date(at).toISOString();
};

describe('nextFireTime', () => {
  it('counts a rate in whole periods from its anchor, first one period after it', () => {
    const anchor = '2026-12-05T10:00:30.000Z';
    assert.equal(next('rate(1 minute)', anchor, anchor), '2026-12-05T10:01:30.000Z');
    assert.equal(next('rate(5 minutes)', '2026-12-05T10:12:00.000Z', anchor), '2026-12-05T10:15:30.000Z');
    assert.equal(next('rate(5 minutes)', '2026-12-05T10:15:30.000Z', anchor), '2026-12-05T10:20:30.000Z', 'strictly after');
    assert.equal(next('rate(2 days)', '2026-12-06T00:00:00.000Z', anchor), '2026-12-07T10:00:30.000Z');
  });

  const cases: Array<[string, string, string | undefined]> = [
    ['cron(0/15 * * * ? *)', '2026-12-05T10:07:30.000Z', '2026-12-05T10:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-12-05T10:15:00.000Z', '2026-12-05T10:30:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-12-05T23:59:00.000Z', '2026-12-06T00:00:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2026-12-05T12:00:00.000Z', '2026-12-07T18:00:00.000Z'],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2026-12-07T17:56:00.000Z', '2026-12-08T08:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2026-12-05T00:00:00.000Z', '2027-01-01T08:00:00.000Z'],
    // The first Monday: December 2026 starts on a Tuesday, January 2027 on a Friday.
    ['cron(0 9 ? * 2#1 *)', '2026-12-05T00:00:00.000Z', '2026-12-07T09:00:00.000Z'],
    ['cron(0 9 ? * MON#1 *)', '2026-12-08T00:00:00.000Z', '2027-01-04T09:00:00.000Z'],
    // The last day of the month, leap years included.
    ['cron(0 0 L * ? *)', '2027-02-10T00:00:00.000Z', '2027-02-28T00:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2028-02-10T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    // The last Friday, and L alone in day-of-week: Saturday.
    ['cron(0 0 ? * 6L *)', '2026-12-05T00:00:00.000Z', '2026-12-25T00:00:00.000Z'],
    ['cron(0 0 ? * L *)', '2026-12-01T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
    // The nearest weekday: 1 August 2026 is a Saturday (Monday the 3rd, within the month), 15 August a
    // Saturday (Friday the 14th), 15 November a Sunday (Monday the 16th).
    ['cron(0 0 1W * ? *)', '2026-07-31T00:00:00.000Z', '2026-08-03T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', '2026-08-05T00:00:00.000Z', '2026-08-14T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', '2026-11-05T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    // 31W skips November, which has 30 days.
    ['cron(0 0 31W * ? *)', '2026-11-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z'],
    ['cron(0 0 1 JAN,JUL ? 2027-2030)', '2026-12-05T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['cron(0 0 1 JAN,JUL ? 2027-2030)', '2030-07-01T00:00:00.000Z', undefined],
    ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
  ];
  for (const [expression, after, expected] of cases) {
    it(`${expression} after ${after} is ${expected ?? 'never'}`, () => assert.equal(next(expression, after), expected));
  }
});

describe('latestDueTime', () => {
  it('is the last period at or before now for a rate', () => {
    const schedule = parseScheduleExpression('rate(1 minute)');
    assert.equal(latestDueTime(schedule, 60_000, 250_000, 0), 240_000);
    assert.equal(latestDueTime(schedule, 60_000, 60_000, 0), 60_000);
  });

  it('is the last cron time at or before now, however long ago the stored one was', () => {
    assert.equal(
      latestDueTime(parseScheduleExpression('cron(* * * * ? *)'), ms('2026-12-05T10:00:00Z'), ms('2026-12-05T10:05:30Z'), 0),
      ms('2026-12-05T10:05:00Z'),
    );
    assert.equal(
      latestDueTime(parseScheduleExpression('cron(0 * * * ? *)'), ms('2026-01-01T00:00:00Z'), ms('2026-12-05T10:30:30Z'), 0),
      ms('2026-12-05T10:00:00Z'),
    );
    assert.equal(
      latestDueTime(parseScheduleExpression('cron(0 8 1 * ? *)'), ms('2026-01-01T08:00:00Z'), ms('2026-12-05T10:30:30Z'), 0),
      ms('2026-12-01T08:00:00Z'),
    );
  });
});
