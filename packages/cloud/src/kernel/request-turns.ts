import { performance } from 'node:perf_hooks';

/** How long requests may run in one event-loop turn before the rest wait for the next turn. */
export const DEFAULT_TURN_BUDGET_MS = 1;
/** The most queued requests one turn takes on (one `setImmediate` each). */
const MAX_PER_TURN = 32;
/** The most requests that wait for a later turn when the cloud's limits set none (`connections.maxQueuedRequests`). */
export const DEFAULT_MAX_QUEUED_REQUESTS = 2048;

/**
 * Runs requests so that one event-loop turn never spends much more than `budgetMs` on them, in the order
 * they arrived. Why: node (libuv 1.45 and later) accepts **one** new connection per loop turn, and a turn
 * reads every socket that has data. A saturated server that answers every request in the turn that read it
 * makes turns as long as all its open connections' requests together, so the k-th new connection waits k
 * such turns before it is even accepted: with 50 busy keep-alive connections, a second or more while the
 * accepted ones are served again and again. Short turns keep accepting (and timers) going under load.
 *
 * A request runs at once while the turn that read it has time left and nothing waits; otherwise it joins
 * the queue, and each later turn runs queued requests, oldest first, until its budget is spent (at least
 * one). Each queued request runs in an immediate of its own, so its promise continuations (the whole of a
 * request that does no I/O) finish before the next one starts and count against the budget.
 *
 * The queue is bounded (`maxQueued`): a request that finds it full is refused at once (its `refuse`, which
 * answers a 503 without doing the request's work), so a flood costs the cloud a short answer per request
 * instead of memory and ever longer waits for everyone.
 */
export function createRequestTurns(options: { budgetMs?: number; now?: () => number; maxQueued?: number } = {}) {
  const budgetMs = options.budgetMs ?? DEFAULT_TURN_BUDGET_MS;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED_REQUESTS;
  const now = options.now ?? (() => performance.now());
  const queue: (() => void)[] = [];
  let head = 0;
  /** When the current turn started running requests at once; undefined between turns. */
  let turnStarted: number | undefined;
  /** Immediates scheduled for queued requests that have not run yet, and when the first of them ran. */
  let scheduled = 0;
  let batchStarted: number | undefined;

  const endTurn = (): void => {
    turnStarted = undefined;
  };
  const waiting = (): number => queue.length - head;
  const scheduleBatch = (): void => {
    batchStarted = undefined;
    scheduled = Math.min(waiting(), MAX_PER_TURN);
    for (let i = 0; i < scheduled; i++) setImmediate(runNext);
  };
  function runNext(): void {
    scheduled -= 1;
    const started = now();
    batchStarted ??= started;
    try {
      if (started - batchStarted < budgetMs && head < queue.length) {
        const task = queue[head]!;
        queue[head++] = undefined as never;
        task();
      }
    } finally {
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      } else if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      // The last immediate of a turn leaves what is still queued to the next turn.
      if (scheduled === 0 && waiting() > 0) scheduleBatch();
    }
  }

  return {
    /**
     * Runs `task` now or after the requests that wait before it; when `maxQueued` requests already wait,
     * runs `refuse` instead (at once), or queues `task` all the same when there is no `refuse`.
     */
    dispatch(task: () => void, refuse?: () => void): void {
      if (scheduled === 0 && waiting() === 0) {
        const at = now();
        if (turnStarted === undefined) {
          turnStarted = at;
          setImmediate(endTurn);
        }
        if (at - turnStarted < budgetMs) return task();
      }
      if (refuse && waiting() >= maxQueued) return refuse();
      queue.push(task);
      if (scheduled === 0) scheduleBatch();
      // A batch that has not started yet (it runs in this turn's check phase or the next turn's) takes it too.
      else if (batchStarted === undefined && scheduled < MAX_PER_TURN) {
        scheduled += 1;
        setImmediate(runNext);
      }
    },
    /** Requests waiting for a later turn (for tests and diagnostics). */
    waiting,
  };
}

export type RequestTurns = ReturnType<typeof createRequestTurns>;
