import { randomUUID } from 'node:crypto';
import type { BusMessage } from '../engines/types.js';
import type { Kernel } from './types.js';

/** What a service does when another instance changed what it keeps in memory. */
export interface CacheInvalidationHandlers<Change extends BusMessage> {
  /** Another instance committed a change: drop (or reload) what it touched. */
  onChange(change: Change): void | Promise<void>;
  /** Changes may have been missed (the bus was cut off and is back): drop everything. */
  onLost(): void | Promise<void>;
  /** Checks a change received: a message of another release or a damaged one is refused (then `onLost` runs). */
  isChange(value: unknown): value is Change;
}

/** Keeps a per-process cache right when other instances share the database (see `createCacheInvalidation`). */
export interface CacheInvalidation<Change extends BusMessage> {
  /** Subscribes; the service awaits it in `start`, before it fills the cache. */
  start(): Promise<void>;
  /** Tells the other instances, after the write is committed. Nothing to do when the cloud runs alone. */
  changed(change: Change): void;
  stop(): void;
}

/**
 * A cache's "changed" messages on the bus (`cache.<name>.v1`): the instance that writes updates its own copy
 * itself and calls `changed`; every other instance hears it and runs `onChange`. With the in-process bus
 * (one instance) nothing is sent. Delivery is at most once: a lost message while the bus was cut off is
 * made good by `onLost`, which runs when the bus comes back.
 */
export function createCacheInvalidation<Change extends BusMessage>(
  kernel: Pick<Kernel, 'bus' | 'log'>,
  name: string,
  handlers: CacheInvalidationHandlers<Change>,
): CacheInvalidation<Change> {
  const { bus, log } = kernel;
  const subject = `cache.${name}.v1`;
  // Tells this instance's own messages from the others' (every instance hears what it publishes).
  const origin = randomUUID();
  const stops: Array<() => void> = [];
  const run = (what: string, fn: () => void | Promise<void>): void => {
    void (async () => fn())().catch((error: unknown) => log.error('cache invalidation failed', { cache: name, what, error }));
  };
  return {
    async start() {
      if (!bus.shared) return;
      stops.push(
        await bus.subscribe(subject, (message) => {
          const { from, change } = (message ?? {}) as { from?: unknown; change?: unknown };
          if (from === origin) return;
          if (handlers.isChange(change)) run('change', () => handlers.onChange(change));
          else {
            log.warn('cache invalidation message not understood: dropping the whole cache', { cache: name });
            run('lost', () => handlers.onLost());
          }
        }),
      );
      stops.push(bus.onResume(() => run('lost', () => handlers.onLost())));
    },
    changed(change) {
      if (!bus.shared) return;
      try {
        bus.publish(subject, { from: origin, change });
      } catch (error) {
        log.error('cache invalidation could not be sent', { cache: name, error });
      }
    },
    stop() {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
