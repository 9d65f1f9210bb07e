import { busMessageText, BUS_SUBJECT, type Bus, type BusMessage, type BusUnsubscribe } from '../types.js';

/**
 * The bus of a single instance: messages stay in this process. They are delivered in a later turn of the
 * event loop (one `setImmediate` per burst), each handler with its own copy parsed from the JSON text, so a
 * message behaves as it would across processes (what is not JSON data does not survive either way).
 */
export function createLocalBus(options: { onError?: (error: unknown, subject: string) => void } = {}): Bus {
  const handlers = new Map<string, Set<(message: BusMessage) => void>>();
  let pending: Array<{ subject: string; text: string; to: ReadonlySet<(message: BusMessage) => void> }> = [];
  let scheduled = false;
  let closed = false;

  const drain = (): void => {
    const batch = pending;
    pending = [];
    scheduled = false;
    for (const { subject, text, to } of batch) {
      for (const handler of to) {
        // Unsubscribed since the publish: hears nothing more.
        if (!handlers.get(subject)?.has(handler)) continue;
        try {
          handler(JSON.parse(text) as BusMessage);
        } catch (error) {
          options.onError?.(error, subject);
        }
      }
    }
  };

  return {
    shared: false,
    publish(subject, message) {
      if (closed) throw new Error('the bus is closed');
      const text = busMessageText(subject, message);
      const to = handlers.get(subject);
      // Only the subscriptions made before the publish hear it.
      if (!to || to.size === 0) return;
      pending.push({ subject, text, to: new Set(to) });
      if (scheduled) return;
      scheduled = true;
      setImmediate(drain);
    },
    subscribe(subject, handler): Promise<BusUnsubscribe> {
      if (closed) return Promise.reject(new Error('the bus is closed'));
      if (!BUS_SUBJECT.test(subject)) return Promise.reject(new Error(`bus subject ${JSON.stringify(subject)} is not dot-separated tokens`));
      // Each subscription is its own entry, even for the same function.
      const own = (message: BusMessage): void => handler(message);
      let set = handlers.get(subject);
      if (!set) handlers.set(subject, (set = new Set()));
      set.add(own);
      return Promise.resolve(() => {
        const current = handlers.get(subject);
        current?.delete(own);
        if (current?.size === 0) handlers.delete(subject);
      });
    },
    onResume: () => () => undefined,
    close() {
      if (!closed) {
        closed = true;
        drain();
        handlers.clear();
      }
      return Promise.resolve();
    },
  };
}
