import type { Bus, BusMessage, BusUnsubscribe } from '../../engines/types.js';

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

/** The bus subject of model changes; `v1` is the shape of ModelChangeEvent (instances of one cluster share it). */
export const MODEL_CHANGED_SUBJECT = 'appsync.model-changed.v1';

const OPERATIONS = new Set(['create', 'update', 'delete']);

/** Whether a message received is a ModelChangeEvent (another instance sent it). */
function isModelChangeEvent(value: unknown): value is ModelChangeEvent {
  const event = value as Partial<ModelChangeEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.apiId === 'string' &&
    typeof event.modelName === 'string' &&
    typeof event.mutationField === 'string' &&
    OPERATIONS.has(event.operation as string) &&
    typeof event.item === 'object' &&
    event.item !== null &&
    !Array.isArray(event.item)
  );
}

/**
 * Model changes, fanned out to every subscriber of the API in every instance through the bus (kernel.bus):
 * every successful create/update/delete mutation publishes after its write, whichever instance answered it,
 * and each instance hands each change once to its own listeners (its realtime subscribers, which filter by
 * their own rules). Listeners hear of a change in a later turn of the event loop, so a mutation's answer
 * never waits for its deliveries; the changes of one instance reach a listener in the order published. A
 * listener that throws is logged by the caller's `onError` and never stops the others.
 */
export class ModelEvents {
  private readonly listeners = new Map<string, Set<ModelChangeListener>>();
  private unsubscribe: BusUnsubscribe | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly onError: (error: unknown, event: Pick<ModelChangeEvent, 'apiId' | 'modelName'>) => void = () => undefined,
  ) {}

  /** Joins the bus: changes published from then on, in any instance, reach this instance's listeners. */
  async start(): Promise<void> {
    this.unsubscribe ??= await this.bus.subscribe(MODEL_CHANGED_SUBJECT, (message) => this.deliver(message));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  publish(event: ModelChangeEvent): void {
    try {
      this.bus.publish(MODEL_CHANGED_SUBJECT, event as unknown as BusMessage);
    } catch (error) {
      // The write is done and answered: only its subscribers miss it (an item too large for the bus).
      this.onError(error, event);
    }
  }

  private deliver(message: BusMessage): void {
    if (!isModelChangeEvent(message)) {
      this.onError(new Error('a model change received on the bus is not one this release reads'), { apiId: '?', modelName: '?' });
      return;
    }
    for (const listener of [...(this.listeners.get(message.apiId) ?? [])]) {
      try {
        listener(message);
      } catch (error) {
        this.onError(error, message);
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
