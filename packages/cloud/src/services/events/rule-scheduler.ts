import type { FunctionInvoker } from '../../kernel/capabilities.js';
import type { Logger } from '../../kernel/logger.js';
import type { EventsClock } from './events-clock.js';
import { nextFireTime } from './next-fire-time.js';
import type { RuleStore, StoredRule } from './rule-store.js';
import { scheduledEvent } from './scheduled-event.js';
import { parseScheduleExpression, type Schedule } from './schedule-expression.js';

const DAY_MS = 86_400_000;
/** A timer never waits longer than this (setTimeout's limit is about 24 days); it wakes and looks again. */
const MAX_WAIT_MS = 3_600_000;
const BATCH = 100;
/**
 * A running cloud whose timer wakes late (a busy event loop) fires each period it is behind, one by one, up to
 * this far behind; further (a suspended machine) it fires once, as after downtime.
 */
const MAX_LATENESS_MS = 15 * 60_000;

/**
 * The latest time at or before `now` that `schedule` fired or should have, starting from the rule's stored
 * next fire time `due` (<= now): a cloud that was down fires a rule once for everything it missed, at this
 * time, as a schedule missed is one firing, not one per period.
 */
export function latestDueTime(schedule: Schedule, due: number, now: number, anchor: number): number {
  if (schedule.kind === 'rate') return Math.max(due, anchor + Math.floor((now - anchor) / schedule.periodMs) * schedule.periodMs);
  let at = due;
  // Long downtimes: start a day back, so finding the latest minute is at most a day of steps.
  const probe = nextFireTime(schedule, Math.max(due, now - DAY_MS), anchor);
  if (probe !== undefined && probe <= now) at = probe;
  for (let next = nextFireTime(schedule, at, anchor); next !== undefined && next <= now; next = nextFireTime(schedule, at, anchor)) at = next;
  return at;
}

/**
 * Fires due rules: one timer (unref'd, so it never holds the process) set for the earliest next fire time in
 * SQL. Each firing first moves the rule's next fire time past now, then invokes its targets asynchronously
 * (`Event`, as EventBridge does), so a period fires at most once even across restarts.
 */
export function createRuleScheduler(options: {
  store: RuleStore;
  clock: EventsClock;
  functions: () => FunctionInvoker;
  log: Logger;
  account: string;
  region: string;
}) {
  const { store, clock, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let running: Promise<void> | undefined;
  let again = false;

  async function fire(rule: StoredRule, due: number, catchUp: boolean): Promise<void> {
    const schedule = parseScheduleExpression(rule.scheduleExpression);
    const now = clock.now();
    const collapse = catchUp || now - due > MAX_LATENESS_MS;
    const at = collapse ? latestDueTime(schedule, due, now, rule.anchorAt) : due;
    if (!(await store.advance(rule.name, due, nextFireTime(schedule, collapse ? now : due, rule.anchorAt)))) return;
    if (at > due)
      log.info('schedule fired once for the runs missed while the cloud was down', {
        rule: rule.name,
        from: new Date(due).toISOString(),
        to: new Date(at).toISOString(),
      });
    const event = JSON.stringify(scheduledEvent({ ruleArn: rule.arn, at, account: options.account, region: options.region }));
    for (const target of rule.targets) {
      try {
        await options.functions().invoke(target.Arn, target.Input ?? event, { invocationType: 'Event' });
      } catch (error) {
        // EventBridge keeps a rule whose target is gone; the invocation fails and the next period tries again.
        log.warn('schedule target could not be invoked', { rule: rule.name, target: target.Id, error });
      }
    }
  }

  /** `catchUp`: the first run after start, which fires what the cloud missed while it was down once per rule. */
  async function runDue(catchUp: boolean): Promise<void> {
    do {
      again = false;
      for (;;) {
        const due = await store.due(clock.now(), BATCH);
        for (const rule of due) {
          if (stopped) return;
          await fire(rule, rule.nextFireAt ?? 0, catchUp).catch((error: unknown) => log.error('schedule could not fire', { rule: rule.name, error }));
        }
        if (due.length < BATCH) break;
      }
      await arm();
      catchUp = false;
    } while (again && !stopped);
  }

  async function arm(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const at = await store.earliest();
    if (at === undefined || stopped) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, clock.realDelay(at - clock.now())));
    timer = setTimeout(() => void wake(), wait);
    timer.unref();
  }

  /** Runs due rules and re-arms the timer; calls during a run make it look once more. */
  function wake(catchUp = false): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = runDue(catchUp)
      .catch((error: unknown) => log.error('schedules could not run', { error }))
      .finally(() => (running = undefined));
    return running;
  }

  return {
    /** Fires what came due while the cloud was down, once per rule, and arms the timer. */
    start(): Promise<void> {
      stopped = false;
      return wake(true);
    },
    /** A rule was created, changed or removed: look at the schedules again. */
    changed: (): Promise<void> => wake(),
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type RuleScheduler = ReturnType<typeof createRuleScheduler>;
