/** The schedules' clock: what time it is for them, and how long a timer waits for a span of their time. */
export interface EventsClock {
  now(): number;
  /** Real milliseconds that pass while `ms` of the clock's time do. */
  realDelay(ms: number): number;
}

/** The events service's settings: config.json's `events` section (every field optional). */
export interface EventsOptions {
  /**
   * How much faster than real time the schedules' clock runs (default 1). Tests set it (60 makes a minute a
   * second) instead of writing shorter schedules.
   */
  timeScale?: number;
  /**
   * The real time (ms since the epoch) at which the scaled clock reads real time; default when the service
   * is built. Clouds restarted with the same origin and scale share one timeline, so downtime counts.
   */
  timeOrigin?: number;
}

/** The clock of `options`: real time, or real time scaled around `timeOrigin`. */
export function createEventsClock(options: EventsOptions = {}, realNow: () => number = Date.now): EventsClock {
  const scale = options.timeScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`events.timeScale must be a positive number, got ${String(options.timeScale)}`);
  if (scale === 1) return { now: realNow, realDelay: (ms) => ms };
  const origin = options.timeOrigin ?? realNow();
  return { now: () => Math.round(origin + (realNow() - origin) * scale), realDelay: (ms) => ms / scale };
}
