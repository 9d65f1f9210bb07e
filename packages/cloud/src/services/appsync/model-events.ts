/** A model item changed through a mutation of a GraphQL API (what subscriptions deliver). */
export interface ModelChangeEvent {
  apiId: string;
  modelName: string;
  operation: 'create' | 'update' | 'delete';
  /** The mutation field that made the change (`createTodo`), for `@aws_subscribe(mutations: [...])`. */
  mutationField: string;
  /** The plain JSON item after the change (before it, for delete). */
  item: Record<string, unknown>;
}

export type ModelChangeListener = (event: ModelChangeEvent) => void;

/**
 * In-process fan-out of model changes, per API. Every successful create/update/delete mutation
 * publishes after its write; listeners hear of it once the current turn of the event loop is over, so a
 * mutation's answer never waits for its deliveries. Events reach every listener in the order they were
 * published. A listener that throws is logged by the caller's `onError` and never stops the others.
 */
export class ModelEvents {
  private readonly listeners = new Map<string, Set<ModelChangeListener>>();
  private pending: ModelChangeEvent[] = [];
  private scheduled = false;

  constructor(private readonly onError: (error: unknown, event: ModelChangeEvent) => void = () => undefined) {}

  publish(event: ModelChangeEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    const events = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const event of events) {
      for (const listener of [...(this.listeners.get(event.apiId) ?? [])]) {
        try {
          listener(event);
        } catch (error) {
          this.onError(error, event);
        }
      }
    }
  }

  /** Returns the function that unsubscribes. */
  subscribe(apiId: string, listener: ModelChangeListener): () => void {
    let set = this.listeners.get(apiId);
    if (!set) this.listeners.set(apiId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(apiId) === set) this.listeners.delete(apiId);
    };
  }
}
