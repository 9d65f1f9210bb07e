import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { FUNCTIONS } from '../../kernel/capabilities.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createEventsClock, type EventsOptions } from './events-clock.js';
import { EVENTS_MIGRATIONS } from './migrations.js';
import { createRuleResourceHandler } from './rule-resource.js';
import { createRuleScheduler } from './rule-scheduler.js';
import { createRuleStore } from './rule-store.js';

export type { EventsOptions } from './events-clock.js';

/**
 * EventBridge's scheduled rules: `AWS::Events::Rule` with a `rate(...)` or `cron(...)` ScheduleExpression,
 * whose Lambda targets are invoked through `FUNCTIONS` with the scheduled event, once per period, across
 * restarts (each rule's next fire time is kept in SQL).
 */
export function createEventsService(kernel: Kernel, options?: EventsOptions): Service {
  const clock = createEventsClock(options);
  const store = createRuleStore(kernel.sql);
  const { region, accountId } = kernel.config;
  const scheduler = createRuleScheduler({ store, clock, functions: () => kernel.capability(FUNCTIONS), log: kernel.log, account: accountId, region });
  // Every instance sharing the database runs a timer for the earliest rule; a rule changed through another
  // instance re-arms it here (firings themselves are claimed in SQL, so only one instance fires each).
  const rulesChanged = createCacheInvalidation<null>(kernel, 'events-rules', {
    isChange: (value): value is null => value === null,
    onChange: () => scheduler.changed(),
    onLost: () => scheduler.changed(),
  });
  const changed = async (): Promise<void> => {
    rulesChanged.changed(null);
    await scheduler.changed();
  };
  return {
    name: 'events',
    requires: [FUNCTIONS],
    routes: [],
    resourceTypes: {
      'AWS::Events::Rule': createRuleResourceHandler({ store, changed, clock, region, accountId }),
    },
    async start() {
      await kernel.sql.migrate('events', EVENTS_MIGRATIONS);
      await rulesChanged.start();
      await scheduler.start();
    },
    async stop() {
      rulesChanged.stop();
      await scheduler.stop();
    },
  };
}
